#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's mbexamine on the tree chk_cyrus.py builds.

Run as root right after test/compat/capture/chk_cyrus.py (argv: imapd.conf, IMAP port), which
leaves user.chk (3 messages) and user.chk.Sub (1) intact. Runs mbexamine as the cyrus user, sets
\Seen \Flagged \Answered and $Forwarded on user.chk.Sub's message over IMAP for one more case, then
appends 5 bytes to user.chk's 3. for one -q case (a size that no longer matches the index),
and restores the file. Writes the block file (format: test/compat/fixtures/quota.txt) to stdout.
"""
import imaplib, os, subprocess, sys

conf, port = sys.argv[1], int(sys.argv[2])
bindir = "/usr/lib/cyrus/bin"

def cyrus(line):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True)

spool = cyrus("%s/mbpath -C %s user.chk" % (bindir, conf)).stdout.decode().strip()
out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/mbexamine.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# A line \"# state: ...\" says what changed on disk before the cases after it.\n\n")

def case(args):
    line = "%s/mbexamine -C %s %s" % (bindir, conf, args)
    r = cyrus(line)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

for a in ("-h", "user.chk.Sub", "-u 2 user.chk", "-s 3 user.chk", "-u 9 user.chk", "-q user.chk",
          "-q user.chk user.chk.Sub", "user.nosuch"):
    case(a)
c = imaplib.IMAP4("127.0.0.1", port)
c.login("cyrus", "x")
c.select("user.chk.Sub")
c.uid("STORE", "1", "+FLAGS", r"(\Seen \Flagged \Answered $Forwarded)")
c.logout()
out.write(b"# state: user.chk.Sub's UID 1 has \\Seen \\Flagged \\Answered $Forwarded\n\n")
case("user.chk.Sub")
path = os.path.join(spool, "3.")
orig = open(path, "rb").read()
with open(path, "ab") as f:
    f.write(b"extra")
out.write(b"# state: 5 bytes appended to user.chk's 3.\n\n")
try:
    case("-q user.chk")
finally:
    with open(path, "wb") as f:
        f.write(orig)
