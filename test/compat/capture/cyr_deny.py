#!/usr/bin/env python3
"""Capture Cyrus 3.6.1's cyr_deny and what a denied user meets in each service.

Run as root against a private Cyrus (argv: imapd.conf, then the IMAP, POP3, sieve and LMTP
ports; cyrus is admin, any password works). Creates user.alice and user.bob, then records: the
cyr_deny command lines and their output (block format: test/compat/fixtures/quota.txt), and
"# reply <service> <what>: <line>" lines giving what the servers answered. Writes to stdout.
"""
import imaplib, poplib, socket, subprocess, sys, time

conf = sys.argv[1]
imap_port, pop_port, sieve_port, lmtp_port = (int(a) for a in sys.argv[2:6])
tool = "/usr/lib/cyrus/bin/cyr_deny"
out = sys.stdout.buffer
out.write(b"# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/cyr_deny.py.\n"
          b"# Each case: \"$ <command line>\" (run as the cyrus user), \"[exit N]\", then \"--- stdout (N bytes)\" and\n"
          b"# \"--- stderr (N bytes)\" each followed by exactly N bytes of raw output and one \"\\n\" separator.\n"
          b"# A line \"# reply <service> <step>: <text>\" is what a server sent at that step.\n\n")

def case(args):
    line = "%s -C %s %s" % (tool, conf, args)
    r = subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", line], capture_output=True)
    out.write(b"$ " + line.encode() + b"\n[exit %d]\n" % (r.returncode & 0xff))
    out.write(b"--- stdout (%d bytes)\n" % len(r.stdout) + r.stdout + b"\n")
    out.write(b"--- stderr (%d bytes)\n" % len(r.stderr) + r.stderr + b"\n\n")

def reply(service, step, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    out.write(("# reply %s %s: %s\n" % (service, step, text.rstrip("\r\n"))).encode())
    out.flush()

def conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s, s.makefile("rb")

def imap_login(user):
    s, f = conn(imap_port)
    f.readline()
    s.sendall(b"a LOGIN %s x\r\n" % user.encode())
    return s, f, f.readline()

def imap_after(s, f):
    """What an open, logged-in session reads on its next command (NOOP)."""
    try:
        s.sendall(b"n NOOP\r\n")
        lines = []
        while True:
            l = f.readline()
            if not l:
                lines.append(b"<EOF>")
                break
            lines.append(l.rstrip(b"\r\n"))
            if l.startswith(b"n ") or l.startswith(b"* BYE"):
                break
        return b" | ".join(lines)
    except OSError as e:
        return "<%s>" % e

def pop_login(user):
    s, f = conn(pop_port)
    f.readline()
    s.sendall(b"USER %s\r\n" % user.encode())
    u = f.readline()
    s.sendall(b"PASS x\r\n")
    return s, f, u.rstrip(b"\r\n") + b" / " + f.readline()

def sieve_login(user):
    import base64
    s, f = conn(sieve_port)
    while not f.readline().startswith(b"OK"):
        pass
    tok = base64.b64encode(b"\0" + user.encode() + b"\0x")
    s.sendall(b'AUTHENTICATE "PLAIN" "' + tok + b'"\r\n')
    return s, f, f.readline()

def lmtp_rcpt(user):
    s, f = conn(lmtp_port)
    f.readline()
    s.sendall(b"LHLO x\r\n")
    while f.readline()[3:4] == b"-":
        pass
    s.sendall(b"MAIL FROM:<a@b>\r\n")
    f.readline()
    s.sendall(b"RCPT TO:<%s>\r\n" % user.encode())
    r = f.readline()
    s.sendall(b"DATA\r\n")
    d = f.readline()
    if d.startswith(b"354"):
        s.sendall(b"Subject: t\r\n\r\nbody\r\n.\r\n")
        d = d.rstrip(b"\r\n") + b" / " + f.readline()
    s.close()
    return r.rstrip(b"\r\n") + b" / " + d

adm = imaplib.IMAP4("127.0.0.1", imap_port)
adm.login("cyrus", "x")
for u in ("alice", "bob"):
    adm.create("user." + u)
adm.logout()

case("-h")
case("-l")
# sessions open before the deny
a_imap, a_f, r = imap_login("alice")
reply("imap", "alice login before deny", r)
b_imap, b_f, r = imap_login("bob")
reply("imap", "bob login before deny", r)
a_pop, a_pf, r = pop_login("alice")
reply("pop3", "alice login before deny", r)
case("alice")
reply("imap", "alice open session after deny", imap_after(a_imap, a_f))
reply("imap", "bob open session after alice denied", imap_after(b_imap, b_f))
try:
    a_pop.sendall(b"NOOP\r\n")
    reply("pop3", "alice open session after deny", a_pf.readline() or b"<EOF>")
except OSError as e:
    reply("pop3", "alice open session after deny", "<%s>" % e)
reply("imap", "alice login while denied", imap_login("alice")[2])
reply("pop3", "alice login while denied", pop_login("alice")[2])
reply("sieve", "alice login while denied", sieve_login("alice")[2])
reply("lmtp", "alice delivery while denied", lmtp_rcpt("alice"))
case("-l")
case("-s 'pop3,sieve' -m 'Your account is suspended' bob")
reply("imap", "bob login denied pop3,sieve only", imap_login("bob")[2])
reply("pop3", "bob login denied pop3,sieve only", pop_login("bob")[2])
reply("sieve", "bob login denied pop3,sieve only", sieve_login("bob")[2])
reply("lmtp", "bob delivery denied pop3,sieve only", lmtp_rcpt("bob"))
case("-s lmtp -m 'hello there' bob")
reply("lmtp", "bob delivery denied lmtp", lmtp_rcpt("bob"))
case("-s '*,!imap' carol")
reply("imap", "carol login denied *,!imap", imap_login("carol")[2])
case("-s '!imap,*' dave")
reply("imap", "dave login denied !imap,*", imap_login("dave")[2])
reply("pop3", "dave login denied !imap,*", pop_login("dave")[2])
case("-s 'po?3' cyrus")
reply("pop3", "admin cyrus login denied po?3", pop_login("cyrus")[2])
case("-l")
case("-a alice")
reply("imap", "alice login after allow", imap_login("alice")[2])
case("-a nosuch")
case("-a cyrus")
case("-l")
case("-a")
case("-l alice")
case("-a -l")
case("-a -s imap bob")
