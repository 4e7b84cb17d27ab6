package imapserver

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestCondstoreEnablingCommandSendsHighestModSeq: RFC 7162 §3.1 — the
// first CONDSTORE enabling command issued in a mailbox selected without
// CONDSTORE sends "* OK [HIGHESTMODSEQ n]" before its own responses, and
// only the first.
func TestCondstoreEnablingCommandSendsHighestModSeq(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	for _, cmd := range []string{
		"FETCH 1 (MODSEQ)",
		"UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)",
		"FETCH 1:* (FLAGS) (CHANGEDSINCE 1)",
		"SEARCH MODSEQ 1",
		"UID SEARCH RETURN (MIN) MODSEQ 1",
		"SORT (ARRIVAL) UTF-8 MODSEQ 1",
		"THREAD REFERENCES UTF-8 MODSEQ 1",
		`STORE 2 (UNCHANGEDSINCE 1000) +FLAGS (\Flagged)`,
		"ENABLE CONDSTORE",
		"ENABLE QRESYNC",
	} {
		t.Run(cmd, func(t *testing.T) {
			a := s.login("alice")
			m := modseqOf(t, a.ok("SELECT INBOX"))
			u := a.ok(cmd)
			want := "* OK [HIGHESTMODSEQ " + m + "] Ok"
			has(t, u, want)
			if u[0] != want && !strings.HasPrefix(u[0], "* ENABLED") {
				t.Fatalf("%s: HIGHESTMODSEQ is not the first response: %q", cmd, u)
			}
			u = a.ok(cmd)
			if l := hasNoHighestModSeq(u); l != "" {
				t.Fatalf("%s a second time: %q again", cmd, l)
			}
			a.ok("LOGOUT")
		})
	}
}

// TestCondstoreHighestModSeqOnlyWhenNotToldYet: SELECT (CONDSTORE), or a
// SELECT after an enabling command, gave HIGHESTMODSEQ already; STATUS
// (HIGHESTMODSEQ) enables CONDSTORE but says nothing of the selected
// mailbox, so the next enabling command in it still sends the code.
func TestCondstoreHighestModSeqOnlyWhenNotToldYet(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"))

	a := s.login("alice")
	a.ok("SELECT INBOX (CONDSTORE)")
	if l := hasNoHighestModSeq(a.ok("FETCH 1 (MODSEQ)")); l != "" {
		t.Fatalf("after SELECT (CONDSTORE): %q", l)
	}
	a.ok("SELECT Work") // CONDSTORE stays on for the session
	if l := hasNoHighestModSeq(a.ok("SEARCH MODSEQ 1")); l != "" {
		t.Fatalf("after a SELECT with CONDSTORE on: %q", l)
	}

	b := s.login("alice")
	m := modseqOf(t, b.ok("SELECT INBOX"))
	u := b.ok("STATUS INBOX (HIGHESTMODSEQ)")
	if l := hasNoHighestModSeq(u); l != "" {
		t.Fatalf("STATUS spoke for the selected mailbox: %q", l)
	}
	has(t, b.ok("FETCH 1 (MODSEQ)"), "* OK [HIGHESTMODSEQ "+m+"] Ok")
}

func hasNoHighestModSeq(lines []string) string {
	for _, l := range lines {
		if highestModSeq.MatchString(l) {
			return l
		}
	}
	return ""
}

// TestESearchModSeqOfReturnedMessages: RFC 4731 §3.2 with RFC 7162
// §3.1.5 — with only MIN or MAX, MODSEQ is the mod-sequence of the
// message returned; with both, the higher of the two; with ALL or COUNT,
// the highest of every match.
func TestESearchModSeqOfReturnedMessages(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"), testMessage("four"))
	a := s.login("alice")
	a.ok("SELECT INBOX (CONDSTORE)")
	// Message 2 is changed last: it has the highest modseq, neither MIN nor MAX.
	a.ok(`STORE 1 +FLAGS (\Flagged)`)
	a.ok(`STORE 3 +FLAGS (\Flagged)`)
	a.ok(`STORE 2 +FLAGS (\Flagged)`)
	mod := map[string]string{}
	re := regexp.MustCompile(`^\* (\d+) FETCH .*MODSEQ \((\d+)\)`)
	for _, l := range a.ok("FETCH 1:3 (MODSEQ)") {
		if m := re.FindStringSubmatch(l); m != nil {
			mod[m[1]] = m[2]
		}
	}
	if len(mod) != 3 {
		t.Fatalf("modseqs %v", mod)
	}
	crit := "MODSEQ " + mod["1"] // matches 1:3, not 4
	for _, tc := range []struct{ ret, want string }{
		{"(MIN)", "MIN 1 MODSEQ " + mod["1"]},
		{"(MAX)", "MAX 3 MODSEQ " + mod["3"]},
		{"(MIN MAX)", "MIN 1 MAX 3 MODSEQ " + mod["3"]},
		{"(COUNT)", "COUNT 3 MODSEQ " + mod["2"]},
		{"(MIN ALL)", "MIN 1 ALL 1:3 MODSEQ " + mod["2"]},
		{"()", "ALL 1:3 MODSEQ " + mod["2"]},
	} {
		u := a.ok("SEARCH RETURN " + tc.ret + " " + crit)
		tag := fmt.Sprintf("a%03d", a.n)
		has(t, u, `* ESEARCH (TAG "`+tag+`") `+tc.want)
	}
	has(t, a.ok("SEARCH "+crit), "* SEARCH 1 2 3 (MODSEQ "+mod["2"]+")")
}
