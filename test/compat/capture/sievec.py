#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's sievec and sieved on the scripts in test/compat/fixtures/sievec/.

Run as root (argv: imapd.conf of a private instance; the master need not run: both tools only read
the configuration). Copies the scripts to a scratch directory owned by cyrus, runs sievec on each
(usage errors, a missing input, an unwritable output too), then sieved (plain and -s) on each .bc
sievec wrote. Writes the block file (format: test/compat/fixtures/quota.txt) to stdout; sieved
takes no -C, so its cases are recorded with the full program path.
"""
import glob, os, shutil, subprocess, sys, tempfile

conf = sys.argv[1]
bindir = "/usr/lib/cyrus/bin"
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "sievec")
work = tempfile.mkdtemp(prefix="sievec-capture-")
for f in sorted(glob.glob(os.path.join(src, "*.sieve"))):
    shutil.copy(f, work)
subprocess.run(["chown", "-R", "cyrus", work], check=True)

def cyrus(line):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", "cd %s && %s" % (work, line)], capture_output=True)

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/sievec.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user in a directory holding the scripts of\n"
          b"# test/compat/fixtures/sievec/), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n\n")

def case(line):
    r = cyrus(line)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

sievec = "%s/sievec -C %s " % (bindir, conf)
for a in ("-h", "", "actions.sieve", "nosuch.sieve out.bc", "actions.sieve /nonexistent/out.bc"):
    case(sievec + a)
names = [os.path.basename(f)[:-len(".sieve")] for f in sorted(glob.glob(os.path.join(src, "*.sieve")))]
for n in names:
    case(sievec + "%s.sieve %s.bc" % (n, n))
sieved = "%s/sieved " % bindir
for a in ("-h", "", "nosuch.bc", "actions.sieve"):
    case(sieved + a)
for n in names:
    if os.path.exists(os.path.join(work, n + ".bc")):
        case(sieved + n + ".bc")
        case(sieved + "-s " + n + ".bc")
shutil.rmtree(work)
