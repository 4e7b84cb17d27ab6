package managesieve

import (
	"io"
	"testing"

	"gocyrus/internal/faulttest"
)

// A panic in one session's command ends that session with BYE, is logged
// with its stack, and leaves the other sessions serving.
func TestPanicEndsOnlyThatSession(t *testing.T) {
	var logs faulttest.Log
	ts := startServer(t, serverOpts{
		logger: logs.Logger(),
		fault: func(cmd string) {
			if cmd == "LISTSCRIPTS" {
				faulttest.Panic()
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
	faulttest.WantPanicLogged(t, &logs, "session panic", "remote=127.0.0.1:")
}
