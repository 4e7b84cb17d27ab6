// Package faulttest is what the fault-injection tests share: a log sink
// that sessions write to concurrently, a panic that is a genuine runtime
// error (not a crafted value a recover could special-case), and the check
// that such a panic was logged with its stack. Only _test files import it.
package faulttest

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// PanicText is what the runtime says for Panic's fault.
const PanicText = "assignment to entry in nil map"

// Panic fails as a bug would: an assignment to a nil map.
func Panic() {
	var m map[string]int
	m["x"]++
}

// Log is a log sink shared by concurrent goroutines.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Logger is a text logger writing to l.
func (l *Log) Logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// WantPanicLogged fails t unless l holds an error-level record of Panic's
// fault with a stack reaching the test's fault_test.go, and every one of
// want.
func WantPanicLogged(t testing.TB, l *Log, want ...string) {
	t.Helper()
	out := l.String()
	for _, w := range append([]string{"level=ERROR", PanicText, "fault_test.go"}, want...) {
		if !strings.Contains(out, w) {
			t.Errorf("log lacks %q:\n%s", w, out)
		}
	}
}
