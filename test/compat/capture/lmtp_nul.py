import socket
s = socket.create_connection(('127.0.0.1', 12003), timeout=10)
f = s.makefile('rb')
log = []
def rd():
    while True:
        l = f.readline(); log.append(b'S: ' + l)
        if l[3:4] != b'-': return l
def c(x):
    log.append(b'C: ' + x); s.sendall(x); return rd()
rd()
c(b'LHLO x\r\n')
for name, body in [(b'nul-7bit', b'From: a@b\r\nSubject: lmtp nul\r\n\r\nhello\x00world\r\n'),
                   (b'nul-header', b'From: a@b\r\nSubject: lm\x00tp\r\n\r\nhello\r\n')]:
    c(b'MAIL FROM:<a@b>\r\n'); c(b'RCPT TO:<alice>\r\n'); c(b'DATA\r\n')
    log.append(b'C: <' + name + b'>\r\n')
    s.sendall(body + b'.\r\n'); rd()
c(b'QUIT\r\n')
import sys; sys.stdout.buffer.write(b''.join(log))
