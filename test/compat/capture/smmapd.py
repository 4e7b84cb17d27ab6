#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's smmapd answers on a known tree.

argv: IMAP port, smmap port of a private Cyrus (cyrus.conf: smmap cmd="smmapd -C ..." listen=...),
imapd.conf with lmtp_downcase_rcpt: yes. Builds (as admin cyrus) user.alice with Work (anyone p) and
Private, user.bob over its 1 KB quota, user.carol (100 KB), board (anyone lrsp) and closed, then sends
each request on its own connection, half-closes, and writes one line per case to stdout:
<request as a Python bytes literal> TAB <answer up to EOF as a Python bytes literal>.
"""
import imaplib, socket, sys

iport, sport = int(sys.argv[1]), int(sys.argv[2])
c = imaplib.IMAP4("127.0.0.1", iport)
c.login("cyrus", "x")
for m in ["user.alice", "user.alice.Work", "user.alice.Private", "user.bob", "user.carol", "board", "closed"]:
    c.create(m)
c.setacl("user.alice.Work", "anyone", "p")
c.setacl("board", "anyone", "lrsp")
c.setacl("user.bob", "cyrus", "lrswipkxtecda")
c.setquota("user.bob", "(STORAGE 100)")
c.setquota("user.carol", "(STORAGE 100)")
c.append("user.bob", None, None, b"From: a@b\r\nSubject: x\r\n\r\n" + b"y" * 3000 + b"\r\n")
c.setquota("user.bob", "(STORAGE 1)")
c.logout()

def ns(s):
    return b"%d:%s," % (len(s), s)

def case(raw):
    s = socket.create_connection(("127.0.0.1", sport), timeout=10)
    s.sendall(raw)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
    print("%r\t%r" % (raw, out))

print("# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) smmapd with test/compat/capture/smmapd.py.")
for k in [b"alice", b"Alice", b"alice+Work", b"alice+Private", b"alice+nosuch", b"alice+", b"alice@example.org",
          b"nosuch", b"bob", b"bob+Work", b"carol", b"+board", b"+closed", b"+nosuch", b"postuser+board",
          b"", b"alice bob", b"<alice>", b"@x:alice", b"al\0ce", b"+", b"user.alice"]:
    case(ns(b"smmapd " + k))
for raw in [ns(b"smmapd alice") + ns(b"smmapd bob"), b"5:alice", b"12:smmapd alice;", b"99:x", b"5:alice,", b"0:,",
            ns(b"smmapdalice")]:
    case(raw)
