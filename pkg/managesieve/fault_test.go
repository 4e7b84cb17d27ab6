package managesieve

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A panic in one session's command ends that session with BYE, is logged
// with its stack, and leaves the other sessions serving.
func TestPanicEndsOnlyThatSession(t *testing.T) {
	var logs lockedBuffer
	ts := startServer(t, serverOpts{
		logger: slog.New(slog.NewTextHandler(&logs, nil)),
		fault: func(cmd string) {
			if cmd == "LISTSCRIPTS" {
				var names map[string]int
				names["x"]++
			}
		},
	})
	other, _ := ts.dial(t)
	other.login("bob")
	other.expect(`PUTSCRIPT "s" {10+}`+"\r\nkeep;\r\nok\r\n", "OK\n")

	bad, _ := ts.dial(t)
	bad.login("alice")
	if got := bad.cmd("LISTSCRIPTS"); got != `BYE "Fatal error: internal server error"`+"\n" {
		t.Fatalf("farewell = %q", got)
	}
	if _, err := bad.r.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed after the panic: %v", err)
	}
	other.expect(`GETSCRIPT "s"`, "{10}\nkeep;\r\nok\r\nOK\n")
	out := logs.String()
	for _, want := range []string{"level=ERROR", "session panic", "assignment to entry in nil map", "remote=127.0.0.1:", "fault_test.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
