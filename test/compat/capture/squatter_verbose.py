#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's squatter -v on a small known tree (squat engine).

Run as root against a private Cyrus started by master with
`search_engine: squat` (argv: imapd.conf, IMAP port; admin cyrus/secret).
Creates user/sqa (3 messages), user/sqa/Sub (2), user/sqa/Sub/Deep (0),
user/sqb (1) over IMAP, runs squatter cases, appends one message to
user/sqa and runs -v -i again. Writes the block file (format:
test/compat/fixtures/quota.txt) to stdout.
"""
import imaplib, subprocess, sys

conf, port = sys.argv[1], int(sys.argv[2])

def msg(n, body):
    return ("From: a@example.org\r\nTo: b@example.org\r\nSubject: message %d\r\n"
            "Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n\r\n%s\r\n" % (n, body)).encode()

tree = {"user/sqa": [msg(1, "alpha bravo charlie"), msg(2, "delta echo foxtrot"), msg(3, "golf hotel india")],
        "user/sqa/Sub": [msg(4, "juliet kilo"), msg(5, "lima mike november oscar")],
        "user/sqa/Sub/Deep": [],
        "user/sqb": [msg(6, "papa quebec")]}
m = imaplib.IMAP4("127.0.0.1", port)
m.login("cyrus", "secret")
for name, msgs in tree.items():
    m.create(name)
    m.setacl(name, "cyrus", "lrswipkxtecda")
    for b in msgs:
        m.append(name, None, '"07-Dec-2026 10:00:00 +0000"', b)

def cyrus(line):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True)

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/squatter_verbose.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# Messages (sizes in bytes): user/sqa %s, user/sqa/Sub %s, user/sqb %s; then one of %d appended to user/sqa\n"
          b"# before the last case. syslog_prefix: cyrus-procsq.\n\n"
          % (str([len(b) for b in tree["user/sqa"]]).encode(), str([len(b) for b in tree["user/sqa/Sub"]]).encode(),
             str([len(b) for b in tree["user/sqb"]]).encode(), len(msg(7, "romeo sierra"))))

def case(args):
    line = "/usr/lib/cyrus/bin/squatter -C %s %s" % (conf, args)
    r = cyrus(line)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

for args in ("-v user/sqa", "-v -r user/sqa", "-v -u sqb", "-r user/sqa", "-v -i -r user/sqa"):
    case(args)
m.append("user/sqa", None, '"07-Dec-2026 10:00:00 +0000"', msg(7, "romeo sierra"))
case("-v -i user/sqa")
m.logout()
