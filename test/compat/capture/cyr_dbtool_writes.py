#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's cyr_dbtool set, get and delete on a twoskip mailboxes.db.

Run as root (argv: a scratch directory). No server is needed: cyr_dbtool works on the file. It
writes a minimal imapd.conf (configdirectory and partition-default under the scratch directory),
creates mailboxes.db with -n on the first set, and runs, as the cyrus user: set of a new N record
(values in the field order gocyrus's cyr_dbtool prints), get, set over it, get, show, delete,
delete of the absent key, get of the absent key, set with key and value on (empty) stdin,
consistent and repack. Writes the block file (format: test/compat/fixtures/quota.txt) to stdout;
database paths are written as "<configdir>/...".
"""
import os, subprocess, sys

scratch = os.path.abspath(sys.argv[1])
configdir = scratch + "/conf"
os.makedirs(configdir, exist_ok=True)
os.makedirs(scratch + "/part", exist_ok=True)
conf = scratch + "/imapd.conf"
with open(conf, "w") as f:
    f.write("configdirectory: %s\npartition-default: %s/part\n" % (configdir, scratch))
subprocess.run(["chown", "-R", "cyrus", scratch], check=True)
bindir = "/usr/lib/cyrus/bin"

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/cyr_dbtool_writes.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user; arguments as argv words, shell-quoted),\n"
          b"# \"[exit N]\", then \"--- stdout (N bytes)\" and \"--- stderr (N bytes)\" each followed by exactly N bytes\n"
          b"# of raw output and one \"\\n\" separator. Keys hold raw 0x1F bytes.\n\n")

def case(*args):
    argv = [bindir + "/cyr_dbtool", "-C", conf] + [a.replace("<configdir>", configdir) for a in args]
    r = subprocess.run(["runuser", "-u", "cyrus", "--"] + argv,
                       stdin=subprocess.DEVNULL, capture_output=True)
    shown = " ".join(a.replace(" ", "\\ ") for a in args)
    out.write(b"$ " + shown.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

db = "<configdir>/mailboxes.db"
key = "Nuser\x1fdbw"
v1 = "%(T e I 0123456789abcdefghijklmn P default V 1700000000 C 1 F 1 M 1700000000 A %(dbw lrswipkxtecdan))"
v2 = "%(T e I 0123456789abcdefghijklmn P default V 1700000000 C 1 F 1 M 1700000000 A %(dbw lrswipkxtecdan anyone lr))"
case("-n", db, "twoskip", "set", key, v1)
case(db, "twoskip", "get", key)
case(db, "twoskip", "set", key, v2)
case(db, "twoskip", "get", key)
case(db, "twoskip", "show")
case(db, "twoskip", "delete", key)
case(db, "twoskip", "delete", key)
case(db, "twoskip", "get", key)
case(db, "twoskip", "set")
case(db, "twoskip", "consistent")
case(db, "twoskip", "repack")
case(db, "twoskip", "show")
