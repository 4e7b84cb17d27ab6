#!/usr/bin/env python3
"""Fill a fresh Cyrus instance with the state cyr_import must carry.

Usage: fill.py IMAPPORT LMTPPORT SIEVEPORT

Users alice and bob, nested folders, a shared folder with an ACL,
flags and keywords, per-user \\Seen on the shared folder, quotas,
annotations, Sieve scripts (one active), expunged messages and a deleted
mailbox. Every login is PLAIN with any password (sasl_pwcheck_method:
alwaystrue). See scripts/cyrus-import/README.md.
"""
import base64, imaplib, smtplib, socket, sys

IMAP, LMTP, SIEVE = (int(a) for a in sys.argv[1:4])
imaplib.Commands.setdefault("SETMETADATA", ("AUTH", "SELECTED"))


def login(user):
    c = imaplib.IMAP4("127.0.0.1", IMAP)
    c.login(user, "x")
    return c


def ok(res):
    typ, data = res
    if typ != "OK":
        raise SystemExit("command failed: %r %r" % (data, sys._getframe(1).f_lineno))
    return data


def msg(n, subj, body, frm="sender@example.org", to="alice@example.org"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <m%d@example.org>\r\n"
            "Date: Mon, 7 Dec 2026 10:%02d:00 +0100\r\n\r\n%s\r\n" % (frm, to, subj, n, n % 60, body)).encode()


admin = login("cyrus")
for u in ("alice", "bob"):
    ok(admin.create("user.%s" % u))
ok(admin.create("shared"))
ok(admin.create("shared.team"))
ok(admin.setacl("shared", "anyone", "lrs"))
ok(admin.setacl("shared.team", "alice", "lrswipkxtecdan"))
ok(admin.setacl("shared.team", "bob", "lrswi"))
ok(admin._simple_command("SETQUOTA", "user.alice", "(STORAGE 10000 MESSAGE 500)"))
ok(admin._simple_command("SETQUOTA", "shared", "(STORAGE 2000)"))

# LMTP deliveries: alice's and bob's INBOX.
l = smtplib.LMTP("127.0.0.1", LMTP)
for i in range(1, 7):
    l.sendmail("sender@example.org", ["alice@example.org"], msg(i, "lmtp %d" % i, "body %d " % i * 5))
for i in range(7, 10):
    l.sendmail("sender@example.org", ["bob@example.org"], msg(i, "lmtp %d" % i, "bob body %d" % i, to="bob@example.org"))
l.quit()

a = login("alice")
for f in ("INBOX.Work", "INBOX.Work.Projects", "INBOX.Old", "INBOX.Archive"):
    ok(a.create(f))
ok(a.subscribe("INBOX"))
ok(a.subscribe("INBOX.Work"))
ok(a.subscribe("INBOX.Work.Projects"))
ok(a.subscribe("shared.team"))
dates = ['"01-Jan-2020 12:00:00 +0000"', '"15-Jun-2021 08:30:15 -0700"', '"29-Feb-2024 23:59:59 +0530"']
for i, d in enumerate(dates):
    ok(a.append("INBOX.Work.Projects", "(\\Flagged $Important)", d, msg(100 + i, "project %d" % i, "p" * (i + 1) * 40)))
ok(a.append("INBOX.Work", "(\\Answered \\Draft $Label1 NonJunk)", dates[0], msg(200, "work", "work body")))
ok(a.append("INBOX.Old", None, dates[1], msg(201, "old", "old body")))
ok(a.append("INBOX.Archive", "(\\Seen)", dates[2], msg(202, "archive", "archive body")))
ok(a.select("INBOX"))
ok(a.uid("STORE", "1:2", "+FLAGS", "(\\Seen $Forwarded)"))
ok(a.uid("STORE", "3", "+FLAGS", "(\\Deleted)"))
ok(a.uid("STORE", "5", "+FLAGS", "(\\Deleted)"))
ok(a.expunge())  # UIDs 3 and 5 gone: holes in the UID sequence
ok(a.uid("STORE", "6", "+FLAGS", "(\\Flagged)"))
ok(a.close())
ok(a.delete("INBOX.Old"))  # delete_mode delayed: DELETED.user.alice.Old.<hex>
ok(a._simple_command("SETMETADATA", "INBOX", '(/private/comment "alice notes")'))
ok(a._simple_command("SETMETADATA", "INBOX.Work", "(/shared/comment \"work things\")"))
for i in range(3):
    ok(a.append("shared.team", "(\\Seen)" if i == 0 else None, dates[i], msg(300 + i, "team %d" % i, "team body %d" % i)))
a.logout()

b = login("bob")
ok(b.subscribe("INBOX"))
ok(b.subscribe("shared.team"))
ok(b.select("shared.team"))
ok(b.uid("STORE", "2:3", "+FLAGS", "(\\Seen)"))  # bob's \Seen differs from alice's
ok(b.close())
ok(b.select("INBOX"))
ok(b.uid("STORE", "1", "+FLAGS", "(\\Seen \\Answered)"))
ok(b.close())
ok(b.create("INBOX.Lists"))
b.logout()

ok(admin.setacl("user.bob.Lists", "alice", "lr"))
admin.logout()


# ManageSieve: alice has two scripts, "main" active; bob one inactive.
def sieve(user, scripts, active):
    s = socket.create_connection(("127.0.0.1", SIEVE))
    f = s.makefile("rwb")

    def resp():
        lines = []
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("sieve: connection closed")
            lines.append(line)
            if line[:2] in (b"OK", b"NO") or line[:3] == b"BYE":
                if not line.startswith(b"OK"):
                    raise SystemExit("sieve: %r" % lines)
                return lines

    resp()
    tok = base64.b64encode(b"\0" + user.encode() + b"\0x").decode()
    f.write(('AUTHENTICATE "PLAIN" "%s"\r\n' % tok).encode()); f.flush()
    resp()
    for name, text in scripts.items():
        data = text.encode()
        f.write(('PUTSCRIPT "%s" {%d+}\r\n' % (name, len(data))).encode() + data + b"\r\n"); f.flush()
        resp()
    if active:
        f.write(('SETACTIVE "%s"\r\n' % active).encode()); f.flush()
        resp()
    f.write(b"LOGOUT\r\n"); f.flush()
    s.close()


sieve("alice", {"main": 'require "fileinto";\r\nif header :contains "subject" "work" { fileinto "INBOX.Work"; }\r\n',
                "vacation": 'require "vacation";\r\nvacation :days 3 "away";\r\n'}, "main")
sieve("bob", {"filters": 'keep;\r\n'}, None)
print("filled")
