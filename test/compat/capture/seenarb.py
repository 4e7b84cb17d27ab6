#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's arbitron and cyr_userseen on a tree where users read a shared mailbox.

Run as root next to a fresh private Cyrus instance (argv: imapd.conf, IMAP port; unixhierarchysep
and altnamespace off; any password logs in, e.g. sasl_pwcheck_method: alwaystrue). As cyrus it
creates user.alice, user.alice.Work, user.alice.Old, user.bob, user.carol, shared, shared.sub;
SETACL shared and shared.sub "anyone lrs", user.alice.Work "bob lrs" and "carol lrs" (and
"cyrus lrswipkxtecda" on every mailbox, for STATUS (MAILBOXID)); appends
2 messages to shared, 1 to shared.sub, 1 to user.alice.Work, 1 to user.alice. Then:
  alice: FETCH 1:* BODY[] in shared (sets her \\Seen there), STORE +FLAGS \\Seen in INBOX (owner);
  bob:   FETCH 1 BODY[] in shared, FETCH 1 BODY[] in user.alice.Work;
  carol: SUBSCRIBE shared, SELECT shared.sub (reads nothing), FETCH 1 BODY[] in user.alice.Work;
  alice: SUBSCRIBE shared, DELETE user.alice.Old.
Runs each tool as the cyrus user with TZ=UTC. Writes the block file (format:
test/compat/fixtures/quota.txt) to stdout.
"""
import imaplib, os, shutil, subprocess, sys

conf, port = sys.argv[1], int(sys.argv[2])
bindir = "/usr/lib/cyrus/bin"
confdir = [l.split(":", 1)[1].strip() for l in open(conf) if l.startswith("configdirectory:")][0]

def login(user):
    c = imaplib.IMAP4("127.0.0.1", port)
    c.login(user, "x")
    return c

def ok(r):
    assert r[0] == "OK", r
    return r

msg = ("From: a@example.org\r\nTo: b@example.org\r\nSubject: m\r\n"
       "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody\r\n").encode()
c = login("cyrus")
for m in ("user.alice", "user.alice.Work", "user.alice.Old", "user.bob", "user.carol", "shared", "shared.sub"):
    ok(c.create(m))
for m, who, rights in (("shared", "anyone", "lrs"), ("shared.sub", "anyone", "lrs"), ("shared", "cyrus", "lrswipkxtecda"),
                       ("shared.sub", "cyrus", "lrswipkxtecda"), ("user.alice.Work", "bob", "lrs"),
                       ("user.alice.Work", "carol", "lrs"), ("user.alice.Work", "cyrus", "lrswipkxtecda"),
                       ("user.alice", "cyrus", "lrswipkxtecda"),
                       ("user.bob", "cyrus", "lrswipkxtecda"), ("user.carol", "cyrus", "lrswipkxtecda")):
    ok(c.setacl(m, who, rights))
for m, n in (("shared", 2), ("shared.sub", 1), ("user.alice.Work", 1), ("user.alice", 1)):
    for _ in range(n):
        ok(c.append(m, None, '"07-Dec-2026 10:00:00 +0000"', msg))
c.logout()

a = login("alice")
ok(a.select("shared")); ok(a.fetch("1:*", "(BODY[])"))
ok(a.select("INBOX")); ok(a.store("1", "+FLAGS", "(\\Seen)"))
a.logout()
b = login("bob")
ok(b.select("shared")); ok(b.fetch("1", "(BODY[])"))
ok(b.select("user.alice.Work")); ok(b.fetch("1", "(BODY[])"))
b.logout()
k = login("carol")
ok(k.subscribe("shared"))
ok(k.select("shared.sub"))
ok(k.select("user.alice.Work")); ok(k.fetch("1", "(BODY[])"))
k.logout()
a = login("alice")
ok(a.subscribe("shared"))
ok(a.delete("INBOX.Old"))
a.logout()

def cyrus(line):
    return subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", "TZ=UTC " + line], capture_output=True)

out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/seenarb.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user, TZ=UTC), \"[exit N]\", then \"--- stdout (N bytes)\"\n"
          b"# and \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# A line \"# state: ...\" says what changed on disk before the cases after it.\n\n")

def case(prog, args):
    line = "%s/%s -C %s %s" % (bindir, prog, conf, args)
    r = cyrus(line)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

# Cyrus 3.6 keeps a user's seen and subscription databases under conf/user/uuid/<a>/<b>/<uniqueid of
# the user's INBOX>/seen.db and sub.db, but its arbitron still reads only conf/user/<hash>/<user>.seen
# and .sub: on 3.6's own layout it finds nobody. So the first cases show that, then the same databases
# are copied to the names arbitron reads and the cases are run again.
for args in ("-h", "", "-u"):
    case("arbitron", args)
c = login("cyrus")
for user in ("alice", "bob", "carol"):
    typ, data = ok(c.status("user." + user, "(MAILBOXID)"))
    uid = data[0].decode().split("MAILBOXID (")[1].split(")")[0]
    src = "%s/user/uuid/%s/%s/%s" % (confdir, uid[0], uid[1], uid)
    dst = "%s/user/%s" % (confdir, user[0])
    os.makedirs(dst, exist_ok=True)
    for f, ext in (("seen.db", "seen"), ("sub.db", "sub")):
        if os.path.exists(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), "%s/%s.%s" % (dst, user, ext))
    subprocess.run(["chown", "-R", "cyrus:mail", dst], check=True)
c.logout()
out.write(b"# state: each user's uuid-layout seen.db and sub.db copied to conf/user/<first letter>/<user>.seen and .sub\n\n")
for args in ("", "-o", "-u", "-o -u", "-l", "-l -o", "-d 1", "-D 01012000:01022000", "-D 01012000",
             "shared", "'shared*'", "'user.alice*'", "user.%", "-d 0", "-d x", "-d 1 -D 01012000", "-D 0101",
             "-p 0", "-x"):
    case("arbitron", args)
for args in ("-h", "", "-d", ""):
    case("cyr_userseen", args)
