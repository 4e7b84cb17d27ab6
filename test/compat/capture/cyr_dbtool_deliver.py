#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's cyr_dbtool on deliver.db (the duplicate-delivery database).

Run as root (argv: a scratch directory; LMTP on 127.0.0.1:30924). Starts a private master with lmtpd -a
(autocreate_post, duplicatesuppression on), delivers the same message twice to user dd (the second is
dropped as a duplicate), stops master, then runs as the cyrus user: show, show with a prefix, consistent.
Writes the block file (format: test/compat/fixtures/quota.txt) to stdout; database paths are written as
"<configdir>/...".
"""
import os, signal, smtplib, subprocess, sys, time

scratch = os.path.abspath(sys.argv[1])
configdir = scratch + "/config"
for d in ("config", "spool", "sieve", "run", "proc", "lock"):
    os.makedirs(scratch + "/" + d, exist_ok=True)
bindir = "/usr/lib/cyrus/bin"
conf = scratch + "/imapd.conf"
with open(conf, "w") as f:
    f.write("configdirectory: %s\ndefaultpartition: default\npartition-default: %s/spool\nsievedir: %s/sieve\n"
            "proc_path: %s/proc\nmboxname_lockpath: %s/lock\nlmtpsocket: %s/run/lmtp\nservername: localhost\n"
            "admins: cyrus\nautocreate_post: 1\nautocreate_quota: 0\nduplicatesuppression: 1\n"
            % ((configdir,) + (scratch,) * 5))
with open(scratch + "/cyrus.conf", "w") as f:
    f.write('START {\n  recover cmd="%s/ctl_cyrusdb -C %s -r"\n}\nSERVICES {\n'
            '  lmtp cmd="%s/lmtpd -C %s -a" listen="127.0.0.1:30924" prefork=0 maxchild=4\n}\nEVENTS {\n}\n'
            % (bindir, conf, bindir, conf))
subprocess.run(["chown", "-R", "cyrus:mail", scratch], check=True)
pidfile = scratch + "/run/master.pid"
subprocess.run([bindir + "/master", "-C", conf, "-M", scratch + "/cyrus.conf", "-p", pidfile, "-d"], check=True)
msg = (b"From: a@example.org\r\nTo: dd@example.org\r\nSubject: dup\r\nMessage-ID: <dup1@example.org>\r\n"
       b"Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody\r\n")
deadline = time.time() + 30
while True:
    try:
        for _ in range(2):
            s = smtplib.LMTP("127.0.0.1", 30924)
            s.sendmail("a@example.org", ["dd@localhost"], msg)
            s.quit()
        break
    except OSError:
        if time.time() > deadline:
            raise
        time.sleep(0.1)
os.kill(int(open(pidfile).read()), signal.SIGTERM)

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/cyr_dbtool_deliver.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user; arguments as argv words, shell-quoted),\n"
          b"# \"[exit N]\", then \"--- stdout (N bytes)\" and \"--- stderr (N bytes)\" each followed by exactly N bytes\n"
          b"# of raw output and one \"\\n\" separator. Keys and values hold raw NUL and binary bytes.\n\n")

def case(*args):
    argv = [bindir + "/cyr_dbtool", "-C", conf] + [a.replace("<configdir>", configdir) for a in args]
    r = subprocess.run(["runuser", "-u", "cyrus", "--"] + argv, stdin=subprocess.DEVNULL, capture_output=True)
    shown = " ".join(a.replace(" ", "\\ ") for a in args)
    out.write(b"$ " + shown.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

db = "<configdir>/deliver.db"
case(db, "twoskip", "show")
case(db, "twoskip", "show", "<dup1")
case(db, "twoskip", "show", "<nosuch")
case(db, "twoskip", "consistent")
