#!/usr/bin/env python3
"""Capture what Cyrus 3.6.1 lists in proc_path and with cyr_info proc while
LMTP (TCP with lmtpd -a, and the unix socket) and ManageSieve sessions are
open, at each step of a session. An IMAP session (alice, INBOX selected)
stays open throughout, as the control that proc files are being written.

Run as root: argv imapd.conf proc_path lmtp_port lmtp_socket sieve_port
imap_port, of a private Cyrus started by master (users alice, bob with
password "secret", mailboxes user.alice and user.bob). Writes the capture
to stdout: per step, each proc file's raw bytes and cyr_info proc's output.
"""
import base64, glob, imaplib, os, socket, subprocess, sys
conf = sys.argv[1]; procdir = sys.argv[2]; lmtp_port = int(sys.argv[3]); sock = sys.argv[4]; sieve_port = int(sys.argv[5])
out = sys.stdout
out.write("# Captured from a real Cyrus IMAP 3.6.1 (Debian 3.6.1-4+deb12u5) with test/compat/capture/cyr_info_proc.py.\n"
          "# Per step: \"## step\", \"# file <pid>: <raw bytes>\" per proc file, then cyr_info proc's stdout.\n\n")
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[6])); imap.login("alice", "secret"); imap.select("INBOX")
def snap(stage):
    out.write("## %s\n" % stage)
    for f in sorted(glob.glob(procdir + "/*")):
        out.write("# file %s: %r\n" % (os.path.basename(f), open(f, "rb").read()))
    r = subprocess.run(["su", "cyrus", "-s", "/bin/sh", "-c", "/usr/lib/cyrus/bin/cyr_info -C %s proc" % conf], capture_output=True)
    out.write("$ cyr_info proc [exit %d]\n" % r.returncode)
    out.write(r.stdout.decode()); out.write("--- stderr: %r\n\n" % r.stderr)
def conn(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM); s.connect(addr); f = s.makefile("rb"); return s, f
def readreply(f):
    lines = []
    while True:
        l = f.readline(); lines.append(l)
        if len(l) < 4 or l[3:4] != b"-": return lines
def cmd(s, f, line):
    s.sendall(line + b"\r\n"); return readreply(f)
snap("only the IMAP control session open")
t, tf = conn(socket.AF_INET, ("127.0.0.1", lmtp_port)); readreply(tf)
snap("lmtp tcp: after greeting")
cmd(t, tf, b"LHLO client.example")
snap("lmtp tcp: after LHLO")
cmd(t, tf, b"MAIL FROM:<sender@example.org>")
snap("lmtp tcp: after MAIL FROM")
cmd(t, tf, b"RCPT TO:<alice@localhost>")
cmd(t, tf, b"RCPT TO:<bob>")
snap("lmtp tcp: after RCPT TO alice, bob")
cmd(t, tf, b"DATA")
t.sendall(b"From: sender@example.org\r\nSubject: x\r\n\r\nhello\r\n")
snap("lmtp tcp: inside DATA")
t.sendall(b".\r\n"); readreply(tf); readreply(tf)
snap("lmtp tcp: after DATA delivered")
u, uf = conn(socket.AF_UNIX, sock); readreply(uf)
cmd(u, uf, b"LHLO unixclient")
snap("lmtp unix: after LHLO (tcp still open)")
t.sendall(b"QUIT\r\n"); tf.read(); t.close()
u.sendall(b"QUIT\r\n"); uf.read(); u.close()
snap("lmtp closed")
# ManageSieve
def sread(f):
    lines = []
    while True:
        l = f.readline(); lines.append(l)
        if not l or l.startswith((b"OK", b"NO", b"BYE")): return lines
s, sf = conn(socket.AF_INET, ("127.0.0.1", sieve_port)); sread(sf)
snap("sieve: after greeting")
s2, sf2 = conn(socket.AF_INET, ("127.0.0.1", sieve_port)); sread(sf2)
tok = base64.b64encode(b"\0alice\0secret")
s.sendall(b'AUTHENTICATE "PLAIN" "' + tok + b'"\r\n'); out.write("# auth: %r\n" % sread(sf))
snap("sieve: one logged in as alice, one not")
s.sendall(b'LISTSCRIPTS\r\n'); sread(sf)
snap("sieve: after LISTSCRIPTS")
s.sendall(b'PUTSCRIPT "a" {5+}\r\nkeep;\r\n'); out.write("# put: %r\n" % sread(sf))
s.sendall(b'SETACTIVE "a"\r\n'); sread(sf)
snap("sieve: after PUTSCRIPT, SETACTIVE")
s.sendall(b'LOGOUT\r\n'); sf.read(); s.close()
s2.sendall(b'LOGOUT\r\n'); sf2.read(); s2.close()
snap("sieve closed")
imap.logout()
