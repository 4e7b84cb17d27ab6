package imapserver

import (
	"strings"
	"testing"
	"time"
)

// alerts returns the quota alerts among a SELECT's responses.
func alerts(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "* NO [ALERT]") {
			out = append(out, l)
		}
	}
	return out
}

func TestQuotaWarningsOnSelect(t *testing.T) {
	tests := []struct {
		name     string
		settings []string
		limits   string // SETQUOTA list for user/alice, with 3 messages of ~200 bytes stored
		want     []string
	}{
		{"over and near", nil, "(STORAGE 100 MESSAGE 3)",
			[]string{"* NO [ALERT] Mailbox is at 100% of MESSAGE quota"}},
		{"over", nil, "(MESSAGE 2)", []string{"* NO [ALERT] Mailbox is over MESSAGE quota"}},
		{"below quotawarn", nil, "(MESSAGE 10)", nil},
		{"quotawarn lowered", []string{"quotawarn", "20"}, "(MESSAGE 10)",
			[]string{"* NO [ALERT] Mailbox is at 30% of MESSAGE quota"}},
		{"enough left by quotawarnmsg", []string{"quotawarnmsg", "2", "quotawarn", "50"}, "(MESSAGE 5)", nil},
		{"little used despite quotawarnmsg", []string{"quotawarnmsg", "5"}, "(MESSAGE 100)", nil},
		{"limit under quotawarnmsg", []string{"quotawarnmsg", "5", "quotawarn", "50"}, "(MESSAGE 4)",
			[]string{"* NO [ALERT] Mailbox is at 75% of MESSAGE quota"}},
		{"remaining under quotawarnmsg", []string{"quotawarnmsg", "5", "quotawarn", "1"}, "(MESSAGE 6)",
			[]string{"* NO [ALERT] Mailbox is at 50% of MESSAGE quota"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSite(t, tc.settings...)
			// The root first: usage is counted from its creation on.
			s.login("cyrus").ok("SETQUOTA user/alice " + tc.limits)
			s.deliver("user.alice", testMessage("a"), testMessage("b"), testMessage("c"))
			a := s.login("alice")
			got := alerts(a.ok("SELECT INBOX"))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("alerts %q, want %q", got, tc.want)
			}
			// Once per ten minutes per root: not again on the next SELECT,
			// nor on EXAMINE ever.
			if got := alerts(a.ok("SELECT INBOX")); len(got) > 0 {
				t.Fatalf("repeated alerts %q", got)
			}
		})
	}
}

func TestQuotaWarnLogInterval(t *testing.T) {
	var l quotaWarnLog
	now := time.Now()
	if !l.due("user.a", now) || l.due("user.a", now.Add(time.Minute)) {
		t.Fatal("second warning within the interval")
	}
	if !l.due("user.b", now) {
		t.Fatal("roots share a timer")
	}
	if !l.due("user.a", now.Add(quotaWarnInterval+time.Second)) {
		t.Fatal("no warning after the interval")
	}
}

func TestSpecialUseProtect(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	a.ok(`CREATE Sent (USE (\Sent))`)
	a.ok(`CREATE Notes (USE (\Flagged))`)
	a.ok(`CREATE Archive`)
	a.expect("DELETE Sent", "NO [USEATTR]")
	a.expect("RENAME Sent Archive/Sent", "NO [USEATTR]")
	a.ok("RENAME Sent Sent-2026") // same parent: allowed
	a.ok("RENAME Notes Archive/Notes")
	a.ok("DELETE Archive/Notes")
	// Admins are not held back.
	root := s.login("cyrus")
	root.ok("SETACL user/alice/Sent-2026 cyrus lrx")
	root.ok("DELETE user/alice/Sent-2026")
}

func TestRenameInboxCountsFolders(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("kept"))
	// A new root counts the folders already there (INBOX and Work), so
	// one more is allowed.
	s.login("cyrus").ok("SETQUOTA user/alice (X-NUM-FOLDERS 3)")
	a := s.login("alice")
	a.ok("CREATE Other")
	a.expect("RENAME INBOX Old", "NO [OVERQUOTA]")
	a.expect(`CREATE Another`, "NO [OVERQUOTA]")
	has(t, a.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 1)")
	s.login("cyrus").ok("SETQUOTA user/alice (X-NUM-FOLDERS 4)")
	a.ok("RENAME INBOX Old")
	has(t, a.ok("STATUS Old (MESSAGES)"), "* STATUS Old (MESSAGES 1)")
	has(t, a.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")
}
