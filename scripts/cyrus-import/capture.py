#!/usr/bin/env python3
"""Capture, as JSON on stdout, what cyr_import must keep: for each user,
LIST, LSUB and, per mailbox, STATUS (UIDVALIDITY UIDNEXT MESSAGES UNSEEN
HIGHESTMODSEQ), UID FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])
(the body as its SHA-256), GETACL, GETQUOTAROOT, GETMETADATA; and the
ManageSieve script list with each script.

Usage: capture.py IMAPPORT SIEVEPORT USER...

Run against Cyrus to make the fixture and against gocyrus to compare.
\\Recent is left out of FLAGS: it belongs to sessions, not to the store.
"""
import base64, hashlib, imaplib, json, re, socket, sys

IMAP, SIEVE = int(sys.argv[1]), int(sys.argv[2])
USERS = sys.argv[3:]
imaplib.Commands.setdefault("GETMETADATA", ("AUTH", "SELECTED"))


def text(x):
    if isinstance(x, tuple):
        return " ".join(text(p) for p in x)
    return x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)


def norm(lines):
    return [" ".join(text(l).split()) for l in lines if l is not None]


def mailbox_names(c, cmd):
    typ, data = c._simple_command(cmd, '""', '"*"')
    data = c._untagged_response(typ, data, cmd)[1]
    names = []
    for l in data:
        if l is None:
            continue
        m = re.match(r'\((.*?)\) (?:"(?:\\.|[^"])*"|NIL) (.*)$', text(l))
        name = m.group(2)
        if name.startswith('"'):
            name = name[1:-1]
        names.append(name)
    return sorted(names)


def quote(name):
    return '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')


def fetch(c, mbox):
    typ, _ = c.select(quote(mbox), readonly=True)
    if typ != "OK":
        return "NO"
    typ, data = c.uid("FETCH", "1:*", "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
    msgs = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = text(item[0]), item[1]
        uid = re.search(r"UID (\d+)", head).group(1)
        flags = sorted(f for f in re.search(r"FLAGS \((.*?)\)", head).group(1).split() if f != "\\Recent")
        msgs[uid] = {
            "flags": flags,
            "internaldate": internaldate(head),
            "size": int(re.search(r"RFC822.SIZE (\d+)", head).group(1)),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
    c.close()
    return msgs


def internaldate(head):
    """" 7-Dec-2026" and "07-Dec-2026" are the same date-time (RFC 3501
    date-day-fixed vs the 2DIGIT form)."""
    d = re.search(r'INTERNALDATE "(.*?)"', head).group(1)
    return "0" + d[1:] if d.startswith(" ") else d


def metadata(data):
    """The entry-value pairs of METADATA responses, sorted: an entry name
    may come quoted or as an atom, in any order."""
    pairs = []
    for l in data:
        if l is None:
            continue
        toks = re.findall(r'"(?:\\.|[^"])*"|NIL|[^\s()]+', text(l))[1:]
        toks = [t[1:-1] if t.startswith('"') else t for t in toks]
        pairs += ["%s=%s" % (toks[i], toks[i + 1]) for i in range(0, len(toks) - 1, 2)]
    return sorted(pairs)


def user_state(user):
    c = imaplib.IMAP4("127.0.0.1", IMAP)
    c.login(user, "x")
    out = {"list": mailbox_names(c, "LIST"), "lsub": mailbox_names(c, "LSUB"), "mailboxes": {}}
    for mbox in out["list"]:
        m = {}
        typ, data = c.status(quote(mbox), "(UIDVALIDITY UIDNEXT MESSAGES UNSEEN HIGHESTMODSEQ)")
        m["status"] = norm(data) if typ == "OK" else "NO"
        typ, data = c.getacl(quote(mbox))
        m["acl"] = sorted(norm(data)) if typ == "OK" else "NO"
        typ, data = c.getquotaroot(quote(mbox))
        m["quotaroot"] = [sorted(norm(d)) for d in data] if typ == "OK" else "NO"
        typ, data = c._simple_command("GETMETADATA", quote(mbox), "(/private/comment /shared/comment)")
        data = c._untagged_response(typ, data, "METADATA")[1]
        m["metadata"] = metadata(data) if typ == "OK" else "NO"
        m["messages"] = fetch(c, mbox)
        out["mailboxes"][mbox] = m
    c.logout()
    return out


def sieve_state(user):
    s = socket.create_connection(("127.0.0.1", SIEVE))
    f = s.makefile("rwb")

    def resp():
        lines = []
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("sieve: connection closed")
            m = re.search(rb"\{(\d+)\+?\}\r\n$", line)
            if m:
                line += f.read(int(m.group(1))) + f.readline()
            lines.append(line)
            if line[:2] in (b"OK", b"NO") or line[:3] == b"BYE":
                return lines

    resp()
    tok = base64.b64encode(b"\0" + user.encode() + b"\0x").decode()
    f.write(('AUTHENTICATE "PLAIN" "%s"\r\n' % tok).encode()); f.flush()
    resp()
    f.write(b"LISTSCRIPTS\r\n"); f.flush()
    listing = [l.decode().rstrip("\r\n") for l in resp()[:-1]]
    scripts = {}
    for l in listing:
        name = re.match(r'"(.*?)"', l).group(1)
        f.write(('GETSCRIPT "%s"\r\n' % name).encode()); f.flush()
        scripts[name] = b"".join(resp()[:-1]).decode()
    f.write(b"LOGOUT\r\n"); f.flush()
    s.close()
    return {"listscripts": sorted(listing), "scripts": scripts}


print(json.dumps({u: {"imap": user_state(u), "sieve": sieve_state(u)} for u in USERS}, indent=1, sort_keys=True))
