#!/usr/bin/env python3
"""Plays hostile inputs to an IMAP and an LMTP server and writes what each answered, as JSON.

Usage: hostile_replies.py IMAP_PORT LMTP_PORT USER PASSWORD RCPT > replies.json

Used to capture test/compat/fixtures/hostile-replies.json from a real Cyrus IMAP 3.6.1
(maxmessagesize: 1000000); test/hostile replays the same cases against gocyrus
(TestRepliesMatchCyrus). A case is a list of steps: {"send": text} writes the text,
{"line": true} reads one reply line; after the steps, lines are read until one starts
with "until" (or the server closes: "<closed>").
"""
import json, socket, sys

NUL_MSG = 'From: a@b\r\nSubject: x\r\n\r\nhello\x00world\r\n'
BARE_LF = 'From: a@b\r\nSubject: big\n\n' + 'x\n' * 449_000  # 898,029 bytes; 1,347,029 once CRLF


def literal(msg):
    return 'A APPEND INBOX {%d+}\r\n%s\r\n' % (len(msg), msg)


def lmtp_txn(data):
    return [{'send': 'MAIL FROM:<a@b>\r\n'}, {'line': True}, {'send': 'RCPT TO:<%RCPT%>\r\n'}, {'line': True},
            {'send': 'DATA\r\n'}, {'line': True}, {'send': data}]


IMAP = [
    ('NUL in an APPEND literal', [{'send': literal(NUL_MSG)}], 'A '),
    ('zero-length non-synchronising literal', [{'send': 'A APPEND INBOX {0+}\r\n\r\n'}], 'A '),
    ('zero-length synchronising literal', [{'send': 'A APPEND INBOX {0}\r\n'}, {'line': True}, {'send': '\r\n'}], 'A '),
    ('synchronising literal over maxmessagesize', [{'send': 'A APPEND INBOX {2000000}\r\n'}], 'A '),
    ('bare-LF message over maxmessagesize once CRLF', [{'send': 'A APPEND INBOX {%d}\r\n' % len(BARE_LF)}, {'line': True},
                                                       {'send': BARE_LF + '\r\n'}], 'A '),
    ('literal length with leading zeros', [{'send': 'A APPEND INBOX {000000000000000000005+}\r\nX1 NOOP\r\n'}], 'X1 '),
    ('literal header with a space', [{'send': 'A APPEND INBOX {5 +}\r\nX1 NOOP\r\n'}], 'X1 '),
    ('literal header with two plus signs', [{'send': 'A APPEND INBOX {5++}\r\nX1 NOOP\r\n'}], 'X1 '),
]

LMTP = [
    ('MAIL FROM with a NUL', [{'send': 'MAIL FROM:<s\x00@x>\r\n'}], '5'),
    ('MAIL FROM with a CR', [{'send': 'MAIL FROM:<s\r@x>\r\n'}], '5'),
    ('DATA with a NUL', lmtp_txn('Subject: n\r\n\r\nx\x00y\r\n.\r\n'), ''),
    ('DATA empty', lmtp_txn('.\r\n'), ''),
    ('DATA over maxmessagesize', lmtp_txn('Subject: big\r\n\r\n' + 'y' * 1_100_000 + '\r\n.\r\n'), ''),
]


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port), timeout=20)
        self.buf = b''

    def line(self):
        while b'\r\n' not in self.buf:
            try:
                d = self.s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                d = b''
            if not d:
                rest, self.buf = self.buf, b''
                return None if not rest else rest.decode('latin-1')
            self.buf += d
        l, self.buf = self.buf.split(b'\r\n', 1)
        return l.decode('latin-1')

    def send(self, text):
        try:
            self.s.sendall(text.encode('latin-1'))
        except OSError:
            pass


def play(conn, steps, until, rcpt):
    got = []
    for st in steps:
        if 'send' in st:
            conn.send(st['send'].replace('%RCPT%', rcpt))
        else:
            l = conn.line()
            got.append('<closed>' if l is None else l)
    while True:
        l = conn.line()
        if l is None:
            got.append('<closed>')
            return got
        got.append(l)
        if until == '' or l.startswith(until):
            return got


def main():
    iport, lport, user, pw, rcpt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    out = []
    for name, steps, until in IMAP:
        c = Conn(iport)
        c.line()
        c.send('L LOGIN %s %s\r\n' % (user, pw))
        while not (c.line() or 'L ').startswith('L '):
            pass
        out.append({'proto': 'imap', 'name': name, 'steps': steps, 'until': until, 'reply': play(c, steps, until, rcpt)})
    for name, steps, until in LMTP:
        c = Conn(lport)
        c.line()
        c.send('LHLO x\r\n')
        while not (c.line() or '250 ').startswith('250 '):
            pass
        # DATA replies one line per recipient; the cases have one.
        out.append({'proto': 'lmtp', 'name': name, 'steps': steps, 'until': until, 'reply': play(c, steps, until, rcpt)})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write('\n')


main()
