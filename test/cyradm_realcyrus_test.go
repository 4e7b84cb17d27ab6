//go:build realcyrus

// The comparison with a live Cyrus, outside the default suite:
// `make compat-live GOCYRUS_REAL_CYRUS=host:port[,user,password]` runs it.

package test

import (
	"os"
	"strings"
	"testing"
)

// TestCyradmRealCyrus runs the scripted session against a real Cyrus 3.6
// named by GOCYRUS_REAL_CYRUS=host:port[,user,password] and compares it
// with our imapd's output.
func TestCyradmRealCyrus(t *testing.T) {
	spec := os.Getenv("GOCYRUS_REAL_CYRUS")
	if spec == "" {
		t.Fatal("GOCYRUS_REAL_CYRUS must name the live Cyrus to compare with (host:port[,user,password])")
	}
	parts := strings.Split(spec, ",")
	user, password := "cyrus", "cyrus"
	if len(parts) >= 3 {
		user, password = parts[1], parts[2]
	}
	real := cyradmRun(t, parts[0], password, cyradmScript, "--user", user)
	s := newSite(t, "allowplaintext: yes")
	ours := cyradmRun(t, startImapd(t, s), "secret", cyradmScript, "--user", "cyrus")
	// The real server has other mailboxes under user/: compare from where
	// the script looks only at its own mailboxes.
	skipFirst := func(s string) string {
		// The first command lists the server's own users; start at the
		// script's mailboxes.
		if i := strings.Index(s, "user/kim ("); i >= 0 {
			return s[i:]
		}
		return s
	}
	if skipFirst(real.stdout) != skipFirst(ours.stdout) {
		t.Errorf("stdout differs\nreal Cyrus:\n%s\nours:\n%s", real.stdout, ours.stdout)
	}
	if real.stderr != ours.stderr || real.code != ours.code {
		t.Errorf("stderr/exit differ\nreal Cyrus (%d):\n%s\nours (%d):\n%s", real.code, real.stderr, ours.code, ours.stderr)
	}
}
