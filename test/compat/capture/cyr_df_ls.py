#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's cyr_df and cyr_ls on a small tree.

Run as root against a private instance with partitions "default" and "other" (argv: imapd.conf,
IMAP port). Creates over IMAP as cyrus: user.ls, user.ls.Sub, user.ls.Sub.Deep, user.ls.&ANw-n&AO8-
("Ünï") and user.ls.Far on partition other; gives cyrus all rights on user.ls and user.ls.Sub and
APPENDs 3 messages to user.ls and 1 to user.ls.Sub. Then runs cyr_df and cyr_ls as the cyrus user
(stdout not a terminal) with the cases below, and writes the block file (format:
test/compat/fixtures/quota.txt) to stdout. cyr_ls -p and the no-argument case run in user.ls's
spool directory.
"""
import imaplib, subprocess, sys

conf, port = sys.argv[1], int(sys.argv[2])
bindir = "/usr/lib/cyrus/bin"

def cyrus(line, cwd=None):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True, cwd=cwd)

c = imaplib.IMAP4("127.0.0.1", port)
c.login("cyrus", "x")
for m in ("user.ls", "user.ls.Sub", "user.ls.Sub.Deep", "user.ls.&ANw-n&AO8-"):
    c.create(m)
c.create("user.ls.Far other")
for m in ("user.ls", "user.ls.Sub"):
    c.setacl(m, "cyrus", "lrswipkxtecda")
msgs = [b"From: a@example.org\r\nTo: ls@example.org\r\nSubject: m%d\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody %d\r\n" % (i, i)
        + b"x" * (i * 37) + b"\r\n" for i in range(1, 4)]
for m in msgs:
    c.append("user.ls", None, '"07-Dec-2026 10:00:00 +0000"', m)
c.append("user.ls.Sub", None, '"07-Dec-2026 10:00:00 +0000"', msgs[0])
c.logout()

spool = cyrus("%s/mbpath -C %s user.ls" % (bindir, conf)).stdout.decode().strip()
out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/cyr_df_ls.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# <spool> stands for user.ls's spool directory, where the cases marked \"(cwd <spool>)\" ran.\n\n")

def case(prog, args, cwd=None):
    line = "%s/%s -C %s %s" % (bindir, prog, conf, args)
    r = cyrus(line, cwd)
    shown = line.replace(spool, "<spool>")
    if cwd:
        out.write(b"# (cwd <spool>)\n")
    out.write(b"$ " + shown.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

for a in ("-h", "", "-m"):
    case("cyr_df", a)
for a in ("-h", "user.ls", "-1 user.ls", "-l user.ls", "-R user.ls", "-lR1 user.ls", "-i user.ls", "-7 user.ls",
          "-7 user.ls.&ANw-n&AO8-", "user.ls.Sub", "-m user.ls", "user.nosuch", "-p <spool>"):
    case("cyr_ls", a.replace("<spool>", spool).replace("&", "\\&"))
case("cyr_ls", "", cwd=spool)
