import socket, sys, time
def conn():
    s = socket.create_connection(('127.0.0.1', 11143), timeout=10)
    f = s.makefile('rb')
    f.readline()
    return s, f
out = []
def cmd(s, f, tag, data, lits=()):
    # data: bytes with literal placeholders handled via list of chunks
    s.sendall(data)
    for lit in lits:
        line = f.readline()
        out.append(b'S: ' + line)
        if not line.startswith(b'+'):
            break
        s.sendall(lit)
    res = []
    while True:
        line = f.readline()
        if not line: break
        # handle literals in response
        import re
        m = re.search(rb'~?\{(\d+)\}\r\n$', line)
        if m:
            n = int(m.group(1)); lit = f.read(n)
            line = line + lit + f.readline()
        res.append(line)
        if line.startswith(tag + b' '): break
    for r in res: out.append(b'S: ' + r)
    return res
s, f = conn()
cmd(s, f, b'a1', b'a1 LOGIN alice x\r\n')
cmd(s, f, b'a0', b'a0 CAPABILITY\r\n')
cmd(s, f, b'a2', b'a2 DELETE INBOX.binexp\r\n')
cmd(s, f, b'a3', b'a3 CREATE INBOX.binexp\r\n')
def append(tag, msg, binary=True):
    pre = b'~' if binary else b''
    c = tag + b' APPEND INBOX.binexp ' + pre + b'{%d}\r\n' % len(msg)
    out.append(b'C: ' + c + msg)
    cmd(s, f, tag, c, [msg + b'\r\n'])
# 1: multipart, part 1 binary with bare LF and NUL
m1 = (b'From: a@b\r\nSubject: bin\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
      b'--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'
      b'ab\x00c\nd\n\r\n--XX--\r\n')
append(b'b1', m1)
# 2: binary part with bare LF, no NUL
m2 = (b'From: a@b\r\nSubject: bin2\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
      b'--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'
      b'abcd\ne\n\r\n--XX--\r\n')
append(b'b2', m2)
# 3: single part 7bit with NUL via literal8
m3 = b'From: a@b\r\nSubject: bin3\r\n\r\nhello\x00world\nline2\r\n'
append(b'b3', m3)
# 4: single part, CTE binary top-level
m4 = b'From: a@b\r\nSubject: bin4\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: binary\r\n\r\nx\x00y\nz\n'
append(b'b4', m4)
# 5: NUL in ordinary literal
append(b'b5', m3, binary=False)
# 6: NUL in header
m6 = b'From: a@b\r\nSubject: bi\x00n6\r\n\r\nbody\r\n'
append(b'b6', m6)
cmd(s, f, b'c1', b'c1 SELECT INBOX.binexp\r\n')
for i in range(1, 6):
    for item in [b'RFC822.SIZE BINARY.SIZE[1] BINARY.PEEK[1]', b'BODY.PEEK[]', b'BINARY.PEEK[1]<2.3>', b'BINARY.PEEK[]']:
        c = b'f%d FETCH %d (%s)\r\n' % (i, i, item)
        out.append(b'C: ' + c)
        cmd(s, f, b'f%d' % i, c)
cmd(s, f, b'z', b'z LOGOUT\r\n')
sys.stdout.buffer.write(b''.join(out))
