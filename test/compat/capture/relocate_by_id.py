#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's relocate_by_id on a tree in the legacy by-name layout.

Run as root against a private Cyrus whose imapd.conf has mailbox_legacy_dirs: yes and
hashimapspool: yes (argv: imapd.conf, IMAP port; nothing else in it). Creates user.alice (one
message), user.alice.Work, user.bob, user.bob.Lists, shared and shared.team over IMAP as the
admin "cyrus", so every one of them is made in the legacy layout, then runs the cases below as
the cyrus user. Writes the block file (format: test/compat/fixtures/quota.txt) to stdout.
"""
import imaplib, subprocess, sys

conf, port = sys.argv[1], int(sys.argv[2])
bindir = "/usr/lib/cyrus/bin"

def cyrus(line):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True)

c = imaplib.IMAP4("127.0.0.1", port)
c.login("cyrus", "x")
for m in ("user.alice", "user.alice.Work", "user.bob", "user.bob.Lists", "shared", "shared.team"):
    typ, data = c.create(m)
    if typ != "OK":
        sys.exit("CREATE %s: %s" % (m, data))
c.append("user.alice", None, None, b"From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n")
c.logout()

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/relocate_by_id.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# The tree (mailbox_legacy_dirs: yes, hashimapspool: yes): user.alice (1 message), user.alice.Work,\n"
          b"# user.bob, user.bob.Lists, shared, shared.team; the cases run in this order on it.\n\n")

def case(args):
    line = "%s/relocate_by_id -C %s %s" % (bindir, conf, args)
    r = cyrus(line)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

for a in ("-h", "", "-n user.alice", "user.alice", "user.alice", "user.nosuch",
          "shared.team", "-q shared", "-u bob", "-u nosuch"):
    case(a)
