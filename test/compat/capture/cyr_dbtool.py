#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's cyr_dbtool on the databases of a small known tree.

Run as root next to a fresh private Cyrus instance (argv: imapd.conf, IMAP port; the cyrus user
must log in with any password, e.g. sasl_pwcheck_method: alwaystrue; quota_db at its default,
quotalegacy). It creates over IMAP as cyrus: user.dbt (one message, \\Seen by cyrus, quota
STORAGE 1000 MESSAGE 50, /private/comment "mine"), user.dbt.Sub (/shared/comment "hello world")
and shared; cyrus gets lrswipkxtecdan on each and subscribes to shared and user.dbt.Sub.
Then runs cyr_dbtool as the cyrus user on mailboxes.db, annotations.db, the quota directory and
cyrus's seen and subscription databases. Writes the block file (format:
test/compat/fixtures/quota.txt) to stdout; database paths are written relative to the
configdirectory as "<configdir>/..." so the test can substitute its own.
"""
import imaplib, subprocess, sys

conf, port = sys.argv[1], int(sys.argv[2])
bindir = "/usr/lib/cyrus/bin"
configdir = [l.split(":", 1)[1].strip() for l in open(conf) if l.startswith("configdirectory:")][0]

imaplib.Commands["SETMETADATA"] = ("AUTH", "SELECTED")
c = imaplib.IMAP4("127.0.0.1", port)
c.login("cyrus", "x")
for m in ("user.dbt", "user.dbt.Sub", "shared"):
    assert c.create(m)[0] == "OK"
    assert c.setacl(m, "cyrus", "lrswipkxtecdan")[0] == "OK"
assert c.setquota("user.dbt", "(STORAGE 1000 MESSAGE 50)")[0] == "OK"
msg = (b"From: a@example.org\r\nTo: dbt@example.org\r\nSubject: m1\r\n"
       b"Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody 1\r\n")
assert c.append("user.dbt", None, '"07-Dec-2026 10:00:00 +0000"', msg)[0] == "OK"
# SETMETADATA on a shared (non-user) mailbox trips an assertion in Cyrus 3.6.1 (user_isnamespacelocked).
assert c._simple_command("SETMETADATA", "user.dbt.Sub", '(/shared/comment "hello world")')[0] == "OK"
assert c._simple_command("SETMETADATA", "user.dbt", '(/private/comment "mine")')[0] == "OK"
assert c.subscribe("shared")[0] == "OK"
assert c.subscribe("user.dbt.Sub")[0] == "OK"
c.select("user.dbt")
assert c.store("1", "+FLAGS", r"(\Seen)")[0] == "OK"
c.logout()

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/cyr_dbtool.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# Database paths are written as <configdir>/...; keys and values hold raw 0x1F and NUL bytes.\n\n")

def case(args, stdin=b""):
    line = "%s/cyr_dbtool -C %s %s" % (bindir, conf, args.replace("<configdir>", configdir))
    r = subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], input=stdin, capture_output=True)
    shown = "%s/cyr_dbtool -C %s %s" % (bindir, conf, args)
    out.write(b"$ " + shown.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

for a in ("-h",
          "<configdir>/mailboxes.db twoskip show",
          "<configdir>/mailboxes.db twoskip show Nuser",
          "<configdir>/mailboxes.db twoskip get Nshared",
          "<configdir>/mailboxes.db twoskip get Nnosuch",
          "<configdir>/mailboxes.db twoskip consistent",
          "<configdir>/mailboxes.db nosuch show",
          "<configdir>/mailboxes.db twoskip bogus",
          "<configdir>/mailboxes.db twoskip",
          "<configdir>/nosuch.db twoskip show",
          "<configdir>/annotations.db twoskip show",
          "<configdir>/quota quotalegacy show",
          "<configdir>/user/c/cyrus.seen twoskip show",
          "<configdir>/user/c/cyrus.sub flat show"):
    case(a)
