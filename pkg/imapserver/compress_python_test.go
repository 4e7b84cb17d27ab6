package imapserver

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// pythonDeflateClient is an IMAP client nobody here wrote the compression
// of: CPython's zlib in raw-DEFLATE mode (wbits=-15), flushing every
// command with the flush mode named by argv[2]: Z_SYNC_FLUSH
// (Thunderbird, Python's imaplib users) or Z_PARTIAL_FLUSH (mbsync), which
// ends a command with Huffman blocks only. It turns COMPRESS on right
// after the greeting and runs a few commands, printing each decompressed
// response line.
const pythonDeflateClient = `
import socket, sys, zlib
host, port = sys.argv[1].rsplit(":", 1)
mode = getattr(zlib, sys.argv[2])
s = socket.create_connection((host, int(port)), timeout=10)
def plain_line():
    # byte by byte: nothing after the tagged OK may be taken from the
    # socket before the decompressor exists
    l = b""
    while not l.endswith(b"\r\n"):
        c = s.recv(1)
        if not c:
            sys.exit("connection closed")
        l += c
    return l
plain_line()
s.sendall(b"c1 COMPRESS DEFLATE\r\n")
line = plain_line()
if not line.startswith(b"c1 OK"):
    sys.exit("COMPRESS refused: %r" % line)
co = zlib.compressobj(6, zlib.DEFLATED, -15)
de = zlib.decompressobj(-15)
pending = b""
def command(tag, text):
    global pending
    s.sendall(co.compress(("%s %s\r\n" % (tag, text)).encode()) + co.flush(mode))
    while True:
        while b"\r\n" in pending:
            l, pending = pending.split(b"\r\n", 1)
            print(l.decode("utf-8", "replace"))
            if l.startswith(tag.encode() + b" "):
                return
        d = s.recv(65536)
        if not d:
            sys.exit("connection closed waiting for " + tag)
        pending += de.decompress(d)
command("c2", "LOGIN alice secret")
command("c3", "NAMESPACE")
command("c4", "SELECT INBOX")
command("c5", "FETCH 1 (BODY.PEEK[] RFC822.SIZE)")
command("c6", "LOGOUT")
`

func TestCompressWithPythonZlib(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		// CI forbids skips; python3 is installed by `make deps`.
		t.Fatalf("python3 is required for this test (install it with `make deps`): %v", err)
	}
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("squeezed by zlib"))
	for _, mode := range []string{"Z_SYNC_FLUSH", "Z_PARTIAL_FLUSH", "Z_FULL_FLUSH"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, py, "-c", pythonDeflateClient, s.addr, mode).CombinedOutput()
			if err != nil {
				t.Fatalf("python client: %v\n%s", err, out)
			}
			got := string(out)
			for _, want := range []string{
				"c2 OK", "* NAMESPACE ((\"\" \"/\"))", "c3 OK",
				"* 1 EXISTS", "c4 OK", "Hello squeezed by zlib", "c5 OK", "* BYE", "c6 OK",
			} {
				if !strings.Contains(got, want) {
					t.Errorf("missing %q in:\n%s", want, got)
				}
			}
		})
	}
}
