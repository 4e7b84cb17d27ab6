package imapserver

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// contextLines returns the ESEARCH lines of lines that carry ADDTO or
// REMOVEFROM, and the lines' indices, for order checks.
func contextLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "* ESEARCH ") && (strings.Contains(l, " ADDTO ") || strings.Contains(l, " REMOVEFROM ")) {
			out = append(out, l)
		}
	}
	return out
}

func indexOf(t *testing.T, lines []string, want string) int {
	t.Helper()
	i := slices.Index(lines, want)
	if i < 0 {
		t.Fatalf("missing %q in:\n%s", want, strings.Join(lines, "\n"))
	}
	return i
}

// tagged sends cmd under tag and returns the untagged lines and status.
func (c *conv) tagged(tag, cmd string) ([]string, string) {
	c.t.Helper()
	c.write(tag + " " + cmd + "\r\n")
	return c.until(tag)
}

// RFC 5267 §4.3.3/§4.3.4 with SEARCH: another session's flag changes,
// expunges and deliveries reach the context as ADDTO/REMOVEFROM at
// position 0 in mailbox order; the REMOVEFROM of an expunged message comes
// before its EXPUNGE (its number still valid), the ADDTO of a new message
// after EXISTS.
func TestContextSearchTwoSessions(t *testing.T) {
	site, a := sixMessages(t) // 2, 4, 5 flagged
	u, st := a.tagged("B01", `UID SEARCH RETURN (UPDATE COUNT) FLAGGED`)
	if !strings.HasPrefix(st, "OK") {
		t.Fatalf("B01: %s", st)
	}
	has(t, u, `* ESEARCH (TAG "B01") UID COUNT 3`)
	u, _ = a.tagged("B02", `SEARCH RETURN (UPDATE) FLAGGED`)
	has(t, u, `* ESEARCH (TAG "B02") ALL 2,4:5`)

	b := site.login("alice")
	b.ok("SELECT INBOX")
	b.ok(`STORE 1 +FLAGS.SILENT (\Flagged)`)
	b.ok(`STORE 4 -FLAGS.SILENT (\Flagged)`)
	got := contextLines(a.ok("NOOP"))
	want := []string{
		`* ESEARCH (TAG "B01") UID REMOVEFROM (0 4)`,
		`* ESEARCH (TAG "B02") REMOVEFROM (0 4)`,
		`* ESEARCH (TAG "B01") UID ADDTO (0 1)`,
		`* ESEARCH (TAG "B02") ADDTO (0 1)`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("after STORE:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := contextLines(a.ok("NOOP")); len(got) != 0 {
		t.Fatalf("a second NOOP repeated updates: %q", got)
	}

	// Expunge message 2 (flagged): REMOVEFROM names it as 2, then EXPUNGE.
	b.ok(`STORE 2 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	u = a.ok("NOOP")
	rm := indexOf(t, u, `* ESEARCH (TAG "B02") REMOVEFROM (0 2)`)
	has(t, u, `* ESEARCH (TAG "B01") UID REMOVEFROM (0 2)`)
	if ex := indexOf(t, u, "* 2 EXPUNGE"); ex < rm {
		t.Fatalf("EXPUNGE before REMOVEFROM:\n%s", strings.Join(u, "\n"))
	}

	// A new message, flagged by the other session: ADDTO after EXISTS.
	site.deliver("user.alice", testMessage("g"))
	b.ok("NOOP")
	b.ok(`UID STORE 7 +FLAGS.SILENT (\Flagged)`)
	u = a.ok("NOOP")
	ex := indexOf(t, u, "* 6 EXISTS")
	if add := indexOf(t, u, `* ESEARCH (TAG "B02") ADDTO (0 6)`); add < ex {
		t.Fatalf("ADDTO before EXISTS:\n%s", strings.Join(u, "\n"))
	}
	has(t, u, `* ESEARCH (TAG "B01") UID ADDTO (0 7)`)
}

// RFC 5267 §4.3.3/§4.3.4 with SORT: positions in the sort order; a
// message that stops matching is removed at its position, one that starts
// is added at its position, pairs applied in order.
func TestContextSortPositions(t *testing.T) {
	site, a := sixMessages(t) // subjects f e d c b a for UIDs 1..6; 2, 4, 5 flagged
	u, _ := a.tagged("C01", `UID SORT RETURN (UPDATE COUNT) (SUBJECT) UTF-8 FLAGGED`)
	has(t, u, `* ESEARCH (TAG "C01") UID COUNT 3`) // b(5) c(4) e(2)
	u, _ = a.tagged("C02", `SORT RETURN (UPDATE ALL) (REVERSE SUBJECT) UTF-8 FLAGGED`)
	has(t, u, `* ESEARCH (TAG "C02") ALL 2,4:5`) // e c b

	b := site.login("alice")
	b.ok("SELECT INBOX")
	b.ok(`STORE 3 +FLAGS.SILENT (\Flagged)`) // d
	b.ok(`STORE 4 -FLAGS.SILENT (\Flagged)`) // c
	got := contextLines(a.ok("NOOP"))
	want := []string{
		`* ESEARCH (TAG "C01") UID REMOVEFROM (2 4)`,
		`* ESEARCH (TAG "C02") REMOVEFROM (2 4)`,
		`* ESEARCH (TAG "C01") UID ADDTO (2 3)`,
		`* ESEARCH (TAG "C02") ADDTO (2 3)`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b.ok(`STORE 1,6 +FLAGS.SILENT (\Flagged)`) // f and a
	got = contextLines(a.ok("NOOP"))
	want = []string{
		`* ESEARCH (TAG "C01") UID ADDTO (1 6 5 1)`, // a b d e f
		`* ESEARCH (TAG "C02") ADDTO (1 1 5 6)`,     // f e d b a
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// RFC 5267 §4.3.1: beyond the session's limit the search is answered,
// "* NO [NOUPDATE tag]" refuses the context, the command succeeds; after
// CANCELUPDATE frees one a new context is kept. §4.3: UPDATE under the tag
// of a live context is BAD.
func TestContextLimitAndCancel(t *testing.T) {
	site, a := sixMessages(t)
	for i := range maxContexts {
		a.tagged("L"+strconv.Itoa(i), "SEARCH RETURN (UPDATE) FLAGGED")
	}
	u, st := a.tagged("L99", "SEARCH RETURN (UPDATE COUNT) FLAGGED")
	if !strings.HasPrefix(st, "OK") {
		t.Fatalf("refused context: %s", st)
	}
	has(t, u, `* ESEARCH (TAG "L99") COUNT 3`)
	has(t, u, `* NO [NOUPDATE "L99"] Too many contexts`)

	if _, st := a.tagged("L0", "SEARCH RETURN (UPDATE) FLAGGED"); st != "BAD Tag reuse" {
		t.Fatalf("tag reuse: %s", st)
	}
	// The same tag without UPDATE is only a search.
	if _, st := a.tagged("L0", "SEARCH RETURN (COUNT) FLAGGED"); !strings.HasPrefix(st, "OK") {
		t.Fatalf("tag reuse without UPDATE: %s", st)
	}
	for _, bad := range []string{"CANCELUPDATE", "CANCELUPDATE L1", `CANCELUPDATE "nosuch"`, `CANCELUPDATE "L1" "nosuch"`, `CANCELUPDATE "L1`} {
		a.expect(bad, "BAD")
	}
	if _, st := a.tagged("X1", `CANCELUPDATE "L1" "L2"`); st != "OK No further updates" {
		t.Fatalf("CANCELUPDATE: %s", st)
	}
	u, _ = a.tagged("L100", "SEARCH RETURN (UPDATE) FLAGGED")
	for _, l := range u {
		if strings.Contains(l, "NOUPDATE") {
			t.Fatalf("context refused after CANCELUPDATE freed two: %q", u)
		}
	}
	b := site.login("alice")
	b.ok("SELECT INBOX")
	b.ok(`STORE 1 +FLAGS.SILENT (\Flagged)`)
	u = a.ok("NOOP")
	for _, l := range contextLines(u) {
		if strings.Contains(l, `"L1"`) || strings.Contains(l, `"L2"`) || strings.Contains(l, `"L99"`) {
			t.Fatalf("update for a cancelled or refused context: %q", l)
		}
	}
	has(t, u, `* ESEARCH (TAG "L100") ADDTO (0 1)`)
	has(t, u, `* ESEARCH (TAG "L0") ADDTO (0 1)`)
}

// RFC 9394 §3.1 / RFC 5267 §4.4: PARTIAL and UPDATE do not interact — the
// first answer is the range, the updates cover every match. Leaving the
// mailbox ends the contexts (§4.3).
func TestContextPartialAndUnselect(t *testing.T) {
	site, a := sixMessages(t)
	u, _ := a.tagged("P1", "UID SEARCH RETURN (PARTIAL 1:1 UPDATE CONTEXT) FLAGGED")
	has(t, u, `* ESEARCH (TAG "P1") UID PARTIAL (1:1 2)`)
	b := site.login("alice")
	b.ok("SELECT INBOX")
	b.ok(`STORE 6 +FLAGS.SILENT (\Flagged)`)
	has(t, a.ok("NOOP"), `* ESEARCH (TAG "P1") UID ADDTO (0 6)`)

	a.ok("UNSELECT")
	a.ok("SELECT INBOX")
	b.ok(`STORE 1 +FLAGS.SILENT (\Flagged)`)
	if got := contextLines(a.ok("NOOP")); len(got) != 0 {
		t.Fatalf("updates after re-SELECT: %q", got)
	}
	a.expect(`CANCELUPDATE "P1"`, "BAD")
}

// The cost bound: a change re-evaluates only the changed messages, so a
// BODY context does not reread every message when one message's flags
// change. The files of the other messages are removed behind the server's
// back: a whole re-evaluation would see them stop matching.
func TestContextReevaluatesChangedOnly(t *testing.T) {
	site, a := sixMessages(t)
	u, _ := a.tagged("R1", "UID SEARCH RETURN (UPDATE COUNT) BODY Hello")
	has(t, u, `* ESEARCH (TAG "R1") UID COUNT 6`)
	u, _ = a.tagged("R3", "UID SEARCH RETURN (UPDATE COUNT) UID 1:6 BODY Hello") // a fixed UID set
	has(t, u, `* ESEARCH (TAG "R3") UID COUNT 6`)
	u, _ = a.tagged("R4", "SEARCH RETURN (UPDATE COUNT) 1:* BODY Hello") // positional, same messages
	has(t, u, `* ESEARCH (TAG "R4") COUNT 6`)
	e, err := site.st.Lookup(context.Background(), "user.alice")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := site.st.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	for uid := 1; uid <= 5; uid++ {
		if err := os.Remove(filepath.Join(dir, strconv.Itoa(uid)+".")); err != nil {
			t.Fatal(err)
		}
	}
	b := site.login("alice")
	b.ok("SELECT INBOX")
	b.ok(`STORE 6 +FLAGS.SILENT (\Seen)`)
	for _, l := range a.ok("NOOP") {
		if strings.Contains(l, `"R1"`) || strings.Contains(l, `"R3"`) || strings.Contains(l, `"R4"`) {
			t.Fatalf("unrelated messages re-evaluated: %q", l)
		}
	}
	// A program on message numbers is re-evaluated whole when they shift.
	u, _ = a.tagged("R2", "SEARCH RETURN (UPDATE) 1:2")
	has(t, u, `* ESEARCH (TAG "R2") ALL 1:2`)
	b.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	u = a.ok("NOOP")
	rm := indexOf(t, u, `* ESEARCH (TAG "R2") REMOVEFROM (0 1)`)
	add := indexOf(t, u, `* ESEARCH (TAG "R2") ADDTO (0 2)`)
	if ex := indexOf(t, u, "* 1 EXPUNGE"); !(rm < ex && ex < add) {
		t.Fatalf("order:\n%s", strings.Join(u, "\n"))
	}
}

// diffOrdered's pairs, applied in order as RFC 5267 §4.3.2 says, turn the
// old order into the new one, for random lists.
func TestDiffOrderedApplies(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	for range 2000 {
		universe := rng.Perm(12)
		pick := func() []uint32 {
			var out []uint32
			for _, u := range universe {
				if rng.IntN(2) == 0 {
					out = append(out, uint32(u+1))
				}
			}
			rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
			return out
		}
		old, new := pick(), pick()
		removes, adds := diffOrdered(old, new)
		cur := slices.Clone(old)
		for _, r := range removes {
			if r.pos < 1 || r.pos-1+len(r.uids) > len(cur) || !slices.Equal(cur[r.pos-1:r.pos-1+len(r.uids)], r.uids) {
				t.Fatalf("old %v new %v: bad removal %+v from %v", old, new, r, cur)
			}
			cur = slices.Delete(cur, r.pos-1, r.pos-1+len(r.uids))
		}
		for _, r := range adds {
			if r.pos < 1 || r.pos-1 > len(cur) {
				t.Fatalf("old %v new %v: bad addition %+v to %v", old, new, r, cur)
			}
			cur = slices.Insert(cur, r.pos-1, r.uids...)
		}
		if !slices.Equal(cur, new) {
			t.Fatalf("old %v new %v: pairs give %v", old, new, cur)
		}
	}
}

// Both atoms are advertised, as RFC 5267 §4.1 defines them.
func TestContextCapability(t *testing.T) {
	_, a := sixMessages(t)
	u := a.ok("CAPABILITY")
	for _, c := range []string{" CONTEXT=SEARCH", " CONTEXT=SORT"} {
		if !strings.Contains(u[0]+" ", c+" ") {
			t.Errorf("CAPABILITY lacks %s: %q", c, u[0])
		}
	}
}

// The conversations of RFC 5267 §4 (§4.2 CONTEXT hint, §4.3.1 NOUPDATE
// on SORT, §4.3.3 ADDTO, §4.3.4 REMOVEFROM before EXPUNGE, §4.3.5
// CANCELUPDATE, §4.4 PARTIAL with UPDATE) on a six-message mailbox: the
// commands as the RFC writes them, the numbers those of this mailbox.
func TestContextRFC5267Examples(t *testing.T) {
	site, a := sixMessages(t) // UIDs 1..6; 2, 4, 5 flagged
	b := site.login("alice")
	b.ok("SELECT INBOX")

	u, _ := a.tagged("A01", "SEARCH RETURN (CONTEXT COUNT) UNDELETED UNKEYWORD $Junk")
	has(t, u, `* ESEARCH (TAG "A01") COUNT 6`)

	u, st := a.tagged("B01", "UID SEARCH RETURN (UPDATE COUNT) DELETED KEYWORD $Junk")
	if !strings.HasPrefix(st, "OK") {
		t.Fatalf("B01: %s", st)
	}
	has(t, u, `* ESEARCH (TAG "B01") UID COUNT 0`)
	b.ok(`STORE 3:4 +FLAGS.SILENT (\Deleted $Junk)`)
	has(t, a.ok("NOOP"), `* ESEARCH (TAG "B01") UID ADDTO (0 3:4)`)
	b.ok(`STORE 3 -FLAGS.SILENT ($Junk)`)
	b.ok("EXPUNGE")
	u = a.ok("NOOP")
	rm := indexOf(t, u, `* ESEARCH (TAG "B01") UID REMOVEFROM (0 3:4)`)
	if ex := indexOf(t, u, "* 3 EXPUNGE"); ex < rm {
		t.Fatalf("EXPUNGE before REMOVEFROM:\n%s", strings.Join(u, "\n"))
	}

	// §4.3.1: the server refuses once its limit is reached, answering COUNT.
	for i := range maxContexts - 1 {
		a.tagged("F"+strconv.Itoa(i), "UID SEARCH RETURN (UPDATE) FLAGGED")
	}
	u, st = a.tagged("B02", "UID SORT RETURN (UPDATE COUNT) (DATE) UTF-8 UNKEYWORD $Junk")
	has(t, u, `* ESEARCH (TAG "B02") UID COUNT 4`)
	has(t, u, `* NO [NOUPDATE "B02"] Too many contexts`)
	if !strings.HasPrefix(st, "OK") {
		t.Fatalf("B02: %s", st)
	}

	if _, st := a.tagged("B04", `CANCELUPDATE "B01"`); st != "OK No further updates" {
		t.Fatalf("B04: %s", st)
	}
	b.ok(`STORE 1 +FLAGS.SILENT (\Deleted $Junk)`)
	for _, l := range a.ok("NOOP") {
		if strings.Contains(l, `"B01"`) {
			t.Fatalf("update after CANCELUPDATE: %q", l)
		}
	}

	// §4.4 with §4.3: a page of the results, updates for all of them.
	u, _ = a.tagged("A02", "UID SORT RETURN (PARTIAL 1:2 UPDATE) (SUBJECT) UTF-8 UNDELETED")
	has(t, u, `* ESEARCH (TAG "A02") UID PARTIAL (1:2 6,5)`)
	b.ok(`UID STORE 2 +FLAGS.SILENT (\Deleted)`)
	has(t, a.ok("NOOP"), `* ESEARCH (TAG "A02") UID REMOVEFROM (3 2)`)
}

// RFC 5267 §4.3.2: changes the session makes itself are reported too, in
// the response of the command that made them (flags with STORE, new
// messages with APPEND, removals with EXPUNGE before its EXPUNGE lines).
func TestContextOwnChanges(t *testing.T) {
	_, a := sixMessages(t)
	a.tagged("S1", "SEARCH RETURN (UPDATE) FLAGGED")
	has(t, a.ok(`STORE 1 +FLAGS.SILENT (\Flagged)`), `* ESEARCH (TAG "S1") ADDTO (0 1)`)
	msg := testMessage("own")
	u := a.ok("APPEND INBOX (\\Flagged) {" + strconv.Itoa(len(msg)) + "+}\r\n" + msg)
	ex := indexOf(t, u, "* 7 EXISTS")
	if add := indexOf(t, u, `* ESEARCH (TAG "S1") ADDTO (0 7)`); add < ex {
		t.Fatalf("ADDTO before EXISTS:\n%s", strings.Join(u, "\n"))
	}
	a.ok(`STORE 2 +FLAGS.SILENT (\Deleted)`)
	u = a.ok("EXPUNGE")
	if rm, ex := indexOf(t, u, `* ESEARCH (TAG "S1") REMOVEFROM (0 2)`), indexOf(t, u, "* 2 EXPUNGE"); rm > ex {
		t.Fatalf("REMOVEFROM after EXPUNGE:\n%s", strings.Join(u, "\n"))
	}
}
