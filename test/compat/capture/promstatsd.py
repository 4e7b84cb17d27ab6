#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's promstatsd command line (-h, a bad option, -c).

Run as root; argv: a scratch directory (created, owned by cyrus). Writes there an imapd.conf with
prometheus_enabled and a configdirectory, runs promstatsd as the cyrus user with the cases below,
and writes the block file (format: test/compat/fixtures/quota.txt) to stdout. The scratch path is
shown as <dir>.
"""
import os, subprocess, sys

top = sys.argv[1]
bindir = "/usr/lib/cyrus/bin"
for d in ("conf", "spool"):
    os.makedirs(os.path.join(top, d), exist_ok=True)
conf = os.path.join(top, "imapd.conf")
with open(conf, "w") as f:
    f.write("configdirectory: %s/conf\npartition-default: %s/spool\nprometheus_enabled: yes\n" % (top, top))
subprocess.run(["chown", "-R", "cyrus:mail", top], check=True)

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/promstatsd.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# <dir> stands for the scratch directory.\n\n")

for args in ("-h", "-x", "-c"):
    line = "%s/promstatsd -C %s %s" % (bindir, conf, args)
    r = subprocess.run(["runuser", "-u", "cyrus", "--", "sh", "-c", line], capture_output=True)
    out.write(b"$ " + line.replace(top, "<dir>").encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    so, se = r.stdout.replace(top.encode(), b"<dir>"), r.stderr.replace(top.encode(), b"<dir>")
    out.write(b"--- stdout (%d bytes)\n" % len(so) + so + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(se) + se + b"\n\n")
