#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's cyr_info on test/compat/fixtures/cyr_info/{imapd,cyrus}.conf.

Run as root on a machine with Debian's cyrus-imapd: copies the two files to /tmp/cyrinfo
(readable by the cyrus user) and writes the block file (format: test/compat/fixtures/quota.txt)
to stdout. The config directory need not exist: cyr_info only reads the configuration.
"""
import os, shutil, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "..", "fixtures", "cyr_info")
os.makedirs("/tmp/cyrinfo", exist_ok=True)
for f in ("imapd.conf", "cyrus.conf"):
    shutil.copy(os.path.join(src, f), "/tmp/cyrinfo/" + f)
    os.chmod("/tmp/cyrinfo/" + f, 0o644)
tool = "/usr/lib/cyrus/bin/cyr_info"
cases = ["-M /tmp/cyrinfo/cyrus.conf conf", "-M /tmp/cyrinfo/cyrus.conf conf-lint",
         "-M /tmp/cyrinfo/cyrus.conf -n imap conf", "-M /tmp/cyrinfo/cyrus.conf conf-default",
         "-M /tmp/cyrinfo/cyrus.conf conf-all", "-M /tmp/cyrinfo/cyrus.conf nosuch",
         "-M /tmp/cyrinfo/cyrus.conf"]
out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/cyr_info.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n\n")
for c in cases:
    line = "%s -C /tmp/cyrinfo/imapd.conf %s" % (tool, c)
    r = subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")
