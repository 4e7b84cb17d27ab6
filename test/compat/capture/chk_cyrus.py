#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's chk_cyrus on a small known tree.

Run as root next to a running private Cyrus instance (argv: imapd.conf, IMAP port; the
cyrus user must log in with any password, e.g. sasl_pwcheck_method: alwaystrue).
It (re)creates user.chk (3 messages) and user.chk.Sub (1 message) over IMAP as cyrus,
runs chk_cyrus as the cyrus user, then moves user.chk's 2. aside to show a missing
file, and puts it back. Writes the block file (format: test/compat/fixtures/quota.txt)
to stdout.
"""
import imaplib, os, subprocess, sys

conf, port = sys.argv[1], int(sys.argv[2])
bindir = "/usr/lib/cyrus/bin"

c = imaplib.IMAP4("127.0.0.1", port)
c.login("cyrus", "x")
for m in ("user.chk.Sub", "user.chk"):
    c.setacl(m, "cyrus", "lrswipkxtecda")
    c.delete(m)
for m, n in (("user.chk", 3), ("user.chk.Sub", 1)):
    c.create(m)
    c.setacl(m, "cyrus", "lrswipkxtecda")
    for i in range(1, n + 1):
        msg = ("From: a@example.org\r\nTo: chk@example.org\r\nSubject: m%d\r\n"
               "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody %d\r\n" % (i, i)).encode()
        typ, _ = c.append(m, None, '"07-Dec-2026 10:00:00 +0000"', msg)
        assert typ == "OK"
c.logout()

def cyrus(line):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True)

spool = cyrus("%s/mbpath -C %s user.chk" % (bindir, conf)).stdout.decode().strip()
out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/chk_cyrus.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# A line \"# state: ...\" says what changed on disk before the cases after it.\n\n")

def case(args):
    line = "%s/chk_cyrus -C %s %s" % (bindir, conf, args)
    r = cyrus(line)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

for a in ("-h", "-P default -M user.chk", "-M user.chk", "-M user.chk.Sub", "-M user.nosuch", "-P nosuch"):
    case(a)
os.rename(os.path.join(spool, "2."), "/tmp/chk_cyrus-2.saved")
out.write(b"# state: user.chk's message file 2. removed\n\n")
try:
    case("-M user.chk")
finally:
    os.rename("/tmp/chk_cyrus-2.saved", os.path.join(spool, "2."))
