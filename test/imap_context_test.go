package test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// waitFor reads lines (each read bounded by hangTimeout) until one starts
// with prefix, returning every line read.
func (c *rawIMAP) waitFor(prefix string) []string {
	c.t.Helper()
	var u []string
	for {
		l := c.line()
		u = append(u, l)
		if strings.HasPrefix(l, prefix) {
			return u
		}
	}
}

// TestImapContextAcrossProcesses: RFC 5267 §4.3 — a SEARCH RETURN
// (UPDATE) context in one imapd process follows changes another imapd
// process makes: ADDTO after EXISTS and REMOVEFROM while idling, and
// REMOVEFROM before the EXPUNGE of a message the other process expunged.
func TestImapContextAcrossProcesses(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr1 := startImapd(t, s)           // serves the databases to both
	addr2 := startDaemon(t, s, "imapd") // a second process
	a := dialRaw(t, addr1)
	a.ok("LOGIN alice secret")
	a.ok("SELECT INBOX")
	b := dialRaw(t, addr2)
	b.ok("LOGIN alice secret")
	b.ok("SELECT INBOX")

	a.send(`C1 UID SEARCH RETURN (UPDATE) KEYWORD xctx`)
	if u := a.waitFor("C1 "); u[len(u)-1] != "C1 OK Completed" || !slices.Contains(u, `* ESEARCH (TAG "C1") UID`) {
		t.Fatalf("C1: %q", u)
	}
	a.send("I1 IDLE")
	if l := a.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("IDLE: %q", l)
	}
	msg := "From: carol@example.org\r\nSubject: context\r\n\r\nhi\r\n"
	b.ok(fmt.Sprintf("APPEND INBOX (xctx) {%d+}\r\n%s", len(msg), msg))
	u := a.waitFor(`* ESEARCH (TAG "C1") UID ADDTO (0 `)
	exists := slices.IndexFunc(u, func(l string) bool { return strings.HasSuffix(l, " EXISTS") })
	if exists < 0 {
		t.Fatalf("ADDTO before EXISTS:\n%s", strings.Join(u, "\n"))
	}
	seq := strings.Fields(u[exists])[1]
	uid := strings.TrimSuffix(strings.TrimPrefix(u[len(u)-1], `* ESEARCH (TAG "C1") UID ADDTO (0 `), ")")

	b.ok("UID STORE " + uid + " -FLAGS.SILENT (xctx)")
	a.waitFor(`* ESEARCH (TAG "C1") UID REMOVEFROM (0 ` + uid + ")")
	a.send("DONE")
	a.waitFor("I1 OK")

	// A context on message numbers: the removal names the message before
	// its EXPUNGE shifts the numbers.
	a.send(`C2 SEARCH RETURN (UPDATE) KEYWORD xgone`)
	a.waitFor("C2 OK")
	b.ok("UID STORE " + uid + " +FLAGS.SILENT (xgone)")
	if u := a.ok("NOOP"); !slices.Contains(u, `* ESEARCH (TAG "C2") ADDTO (0 `+seq+")") {
		t.Fatalf("NOOP after STORE:\n%s", strings.Join(u, "\n"))
	}
	b.ok("UID STORE " + uid + ` +FLAGS.SILENT (\Deleted)`)
	b.ok("UID EXPUNGE " + uid)
	u = a.ok("NOOP")
	rm := slices.Index(u, `* ESEARCH (TAG "C2") REMOVEFROM (0 `+seq+")")
	ex := slices.Index(u, "* "+seq+" EXPUNGE")
	if rm < 0 || ex < 0 || rm > ex {
		t.Fatalf("want REMOVEFROM then EXPUNGE:\n%s", strings.Join(u, "\n"))
	}
}
