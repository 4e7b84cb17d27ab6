#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's squatter: its usage (-h) and what it says for a
mailbox that does not exist and for a tree without mailboxes.

Run as root (argv: imapd.conf of a private, empty Cyrus configuration; no
master needed). Writes the block file (format: test/compat/fixtures/quota.txt)
to stdout. The search engine is not configured, so Cyrus indexes nothing;
only the command line and these answers are compared (squatter.8,
DIFFERENCES: the index format is gocyrus's own).
"""
import subprocess, sys

conf = sys.argv[1]
bindir = "/usr/lib/cyrus/bin"

def cyrus(line):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True)

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/squatter.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n\n")

for args in ("-h", "-v user.nosuch", "-v"):
    line = "%s/squatter -C %s %s" % (bindir, conf, args)
    r = cyrus(line)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")
