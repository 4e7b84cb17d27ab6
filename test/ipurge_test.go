package test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/mailbox"
)

// purgeStats matches Cyrus's per-mailbox ipurge totals with these message
// counts (any byte counts).
func purgeStats(total, deleted int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf("Total messages    \t\t %d\nTotal bytes       \t\t \\d+\n"+
		"Deleted messages  \t\t %d\nDeleted bytes     \t\t \\d+\n"+
		"Remaining messages\t\t %d\nRemaining bytes   \t\t \\d+\n", total, deleted, total-deleted))
}

// keptUIDs returns the UIDs unexpunge -l lists for a mailbox: what ipurge
// expunged there (expunge_mode: delayed keeps the files).
func keptUIDs(s *site, mailbox string) string {
	s.t.Helper()
	out := s.must("", "unexpunge", "-l", mailbox)
	return fmt.Sprint(regexp.MustCompile(`(?m)^UID: (\d+)$`).FindAllStringSubmatch(out, -1))
}

// TestIpurgeByDateHeader: -d goes by the Date: header, leaves users'
// mailboxes alone without -f, and patterns choose the mailboxes.
func TestIpurgeByDateHeader(t *testing.T) {
	s := newSite(t)
	old, recent := "Mon, 2 Nov 2020 10:00:00 +0000", time.Now().Add(-24*time.Hour).Format(time.RFC1123Z)
	s.fillWithDates(map[string][]string{
		"other":          {old, recent},
		"shared":         {old, recent, ""},
		"shared.sub":     {old},
		"user.alice":     {old, recent},
		"user.alice.Old": {old},
	}, nil)

	// A pattern without wildcards is that mailbox only.
	r := s.run("", "ipurge", "-d", "30", "shared")
	if r.code != 0 || r.stderr != "" || !purgeStats(3, 1).MatchString(r.stdout) || strings.Count(r.stdout, "Total messages") != 1 {
		t.Fatalf("ipurge -d 30 shared: %+v", r)
	}
	if got := keptUIDs(s, "shared"); got != "[[UID: 1 1]]" {
		t.Errorf("shared expunged %s, want UID 1 (the message without Date: counts from its delivery)", got)
	}
	if got := keptUIDs(s, "shared/sub"); got != "[]" {
		t.Errorf("shared/sub expunged %s", got)
	}

	// Users' mailboxes need -f, even when a pattern names them.
	if r := s.run("", "ipurge", "-d", "30", "-v", "user/*"); r.code != 0 || r.stdout != "" {
		t.Errorf("ipurge without -f on user/*: %+v", r)
	}
	if got := keptUIDs(s, "user/alice"); got != "[]" {
		t.Errorf("user/alice expunged %s without -f", got)
	}

	// No pattern: every shared mailbox, in list order.
	r = s.run("", "ipurge", "-d", "30", "-v")
	want := regexp.MustCompile("^Working on other...\n" + purgeStats(2, 1).String() +
		"Working on shared...\n" + purgeStats(2, 0).String() +
		"Working on shared.sub...\n" + purgeStats(1, 1).String() + "$")
	if r.code != 0 || !want.MatchString(r.stdout) {
		t.Errorf("ipurge -d 30 -v:\n%s\n%s", r.stdout, r.stderr)
	}

	// -f with a pattern: alice's mailboxes, by the Date: header.
	r = s.run("", "ipurge", "-f", "-d", "30", "-v", "user/alice*")
	if r.code != 0 || !strings.Contains(r.stdout, "Working on user.alice...\n") || !strings.Contains(r.stdout, "Working on user.alice.Old...\n") {
		t.Errorf("ipurge -f user/alice*: %+v", r)
	}
	if a, o := keptUIDs(s, "user/alice"), keptUIDs(s, "user/alice/Old"); a != "[[UID: 1 1]]" || o != "[[UID: 1 1]]" {
		t.Errorf("after -f: user/alice expunged %s, user/alice/Old %s", a, o)
	}

	// -i: newer than the limit.
	if r := s.run("", "ipurge", "-i", "-d", "30", "%"); r.code != 0 || strings.Count(r.stdout, "Total messages") != 2 {
		t.Errorf("ipurge -i -d 30 %%: %+v", r)
	}
	if o, sh := keptUIDs(s, "other"), keptUIDs(s, "shared"); o != "[[UID: 1 1] [UID: 2 2]]" || sh != "[[UID: 1 1] [UID: 2 2] [UID: 3 3]]" {
		t.Errorf("after -i: other expunged %s, shared %s", o, sh)
	}
}

// TestIpurgeThroughIMAP: with imapd running (the databases shared online)
// -X goes by delivery time, -n lists without changing, -o, -s, -i and -x
// filter, and imapd sees what remains.
func TestIpurgeThroughIMAP(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	c := dialIMAP(t, addr, "alice", nil)
	old, recent := "Mon, 2 Nov 2020 10:00:00 +0000", time.Now().Add(-time.Hour).Format(time.RFC1123Z)
	long := strings.Repeat("long line of text for size\r\n", 100)
	for i, m := range []struct {
		date     string
		received time.Time
		flags    []imap.Flag
		body     string
	}{
		{old, time.Now(), []imap.Flag{imap.FlagFlagged}, "hi\r\n"},       // UID 1
		{recent, time.Now().AddDate(0, 0, -60), nil, "hi\r\n"},           // UID 2
		{recent, time.Now(), nil, long},                                  // UID 3
		{old, time.Now(), []imap.Flag{imap.FlagDeleted}, "hi\r\n"},       // UID 4
		{recent, time.Now(), []imap.Flag{imap.FlagSeen}, "hi there\r\n"}, // UID 5
	} {
		msg := fmt.Sprintf("From: carol@example.org\r\nTo: alice@example.org\r\nDate: %s\r\nSubject: purge %d\r\n\r\n%s", m.date, i+1, m.body)
		ap := c.Append("Work", int64(len(msg)), &imap.AppendOptions{Flags: m.flags, Time: m.received})
		ap.Write([]byte(msg))
		ap.Close()
		if _, err := ap.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	c.Logout().Wait()
	const box = "user/alice/Work"

	r := s.run("", "ipurge", "-f", "-n", "-d", "30", box)
	for _, want := range []string{"UID: 1\n\tSize: ", "UID: 4\n", "\tSent: Mon Nov  2 ", "\tRecv: ",
		"\tFrom: <carol@example.org>\n\tTo  : <alice@example.org>\n\tCc  : \n\tBcc : \n\tSubj: \"purge 1\"\n\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ipurge -n lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 0 || strings.Count(r.stdout, "UID: ") != 2 || !purgeStats(5, 2).MatchString(r.stdout) {
		t.Errorf("ipurge -n -d 30: %+v", r)
	}
	if got := keptUIDs(s, box); got != "[]" {
		t.Fatalf("ipurge -n expunged %s", got)
	}

	steps := []struct {
		args []string
		gone string // UIDs kept by delayed expunge after the step
	}{
		{[]string{"-o", "-d", "30"}, "[[UID: 4 4]]"},                              // only \Deleted
		{[]string{"-s", "-d", "30"}, "[[UID: 4 4]]"},                              // \Flagged stays
		{[]string{"-X", "-d", "30"}, "[[UID: 2 2] [UID: 4 4]]"},                   // by delivery time
		{[]string{"-s", "-i", "-k", "1"}, "[[UID: 2 2] [UID: 4 4] [UID: 5 5]]"},   // smaller than 1K, not flagged
		{[]string{"-x", "-b", "1"}, "[[UID: 2 2] [UID: 4 4] [UID: 5 5]]"},         // no message of 1 byte
		{[]string{"-b", "2000"}, "[[UID: 2 2] [UID: 3 3] [UID: 4 4] [UID: 5 5]]"}, // larger
	}
	for _, st := range steps {
		args := append([]string{"-f"}, append(st.args, box)...)
		if r := s.run("", "ipurge", args...); r.code != 0 || r.stderr != "" {
			t.Errorf("ipurge %q: %+v", args, r)
		}
		if got := keptUIDs(s, box); got != st.gone {
			t.Errorf("after ipurge %q expunged %s, want %s", args, got, st.gone)
		}
	}

	c = dialIMAP(t, addr, "alice", nil)
	sel, err := c.Select("Work", nil).Wait()
	if err != nil || sel.NumMessages != 1 {
		t.Fatalf("SELECT Work after ipurge: %v, %+v", err, sel)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].UID != 1 {
		t.Errorf("FETCH after ipurge: %v %+v", err, msgs)
	}
	c.Logout().Wait()
}

// TestIpurgeMailboxNames: -M takes names literally, without children; a
// missing one is reported, the rest done, and the exit is non-zero.
func TestIpurgeMailboxNames(t *testing.T) {
	s := newSite(t)
	old := "Mon, 2 Nov 2020 10:00:00 +0000"
	s.fillWithDates(map[string][]string{"shared": {old}, "shared.sub": {old}, "user.bob": {old}}, nil)

	r := s.run("", "ipurge", "-M", "-v", "-d", "1", "nosuch", "shared", "shared/*", "user/bob")
	if r.code != 75 || r.stderr != "ipurge: nosuch: Mailbox does not exist\nipurge: shared/*: Mailbox does not exist\nipurge: 2 mailboxes could not be purged (see above)\n" {
		t.Errorf("ipurge -M: exit %d, stderr %q", r.code, r.stderr)
	}
	if r.stdout != "Working on shared...\n"+strings.Join(purgeStats(1, 1).FindAllString(r.stdout, -1), "") ||
		strings.Count(r.stdout, "Working on") != 1 {
		t.Errorf("ipurge -M stdout:\n%s", r.stdout)
	}
	if sh, sub, bob := keptUIDs(s, "shared"), keptUIDs(s, "shared/sub"), keptUIDs(s, "user/bob"); sh != "[[UID: 1 1]]" || sub != "[]" || bob != "[]" {
		t.Errorf("after -M: shared %s, shared/sub %s, user/bob %s", sh, sub, bob)
	}
	s.must("", "ipurge", "-M", "-f", "-d", "1", "user/bob")
	if got := keptUIDs(s, "user/bob"); got != "[[UID: 1 1]]" {
		t.Errorf("-M -f user/bob expunged %s", got)
	}
	// A pattern that matches nothing is no error, as in Cyrus.
	if r := s.run("", "ipurge", "-d", "1", "nothing*"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("ipurge with an unmatched pattern: %+v", r)
	}
}

// TestIpurgeUsage: limits missing, doubled or malformed, and unknown flags.
func TestIpurgeUsage(t *testing.T) {
	s := newSite(t)
	s.populate(map[string]int{"shared": 1})
	tests := []struct {
		args []string
		msg  string
	}{
		{nil, "one of -d, -b, -k and -m must be given"},
		{[]string{"-v", "shared"}, "one of -d, -b, -k and -m must be given"},
		{[]string{"-d", "1", "-m", "1"}, "give only one of -d, -b, -k and -m"},
		{[]string{"-d", "1d"}, `-d: "1d" is not a whole non-negative number`},
		{[]string{"-k", "-5"}, `-k: "-5" is not a whole non-negative number`},
		{[]string{"-m", "99999999999999999"}, "-m: 99999999999999999 is too large"},
		{[]string{"-Q", "-d", "1"}, "flag provided but not defined: -Q"},
	}
	for _, tt := range tests {
		r := s.run("", "ipurge", tt.args...)
		if r.code != 64 || !strings.HasPrefix(r.stderr, "ipurge: ") || !strings.Contains(r.stderr, tt.msg) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("ipurge %q: exit %d, stderr %q; want 64 and %q on one line", tt.args, r.code, r.stderr, tt.msg)
		}
	}
	if got := keptUIDs(s, "shared"); got != "[]" {
		t.Errorf("a refused run expunged %s", got)
	}
}

// bobFixtureInbox is user/bob's INBOX of the ipurge.txt capture, byte for
// byte, except that "now" (the capture day) is today, in the same width.
func bobFixtureInbox() []cyrusMessage {
	now := time.Now().UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700")
	big := strings.Repeat("y", 3000)
	return []cyrusMessage{
		{text: "Return-Path: <sender@example.org>\r\nReceived: from [127.0.0.1] ([unix socket])\r\n" +
			"\t by localhost (Cyrus 3.6.1-Debian-3.6.1-4+deb12u5) with LMTPA;\r\n\t " + now + "\r\n" +
			"X-Cyrus-Session-Id: realcyrus-1796038032-15777-2-12459600727451700213\r\nX-Sieve: CMU Sieve 3.0\r\n" +
			"Message-ID: <dup1@example.org>\r\nSubject: lmtp\r\nDate: " + now + "\r\n\r\nhi\r\n"},
		{text: "Date: Wed, 01 Jan 2025 09:00:00 +0000\r\nFrom: a@example.org\r\nSubject: old small flagged\r\n\r\nx\r\n",
			recv: "01-Jan-2025 09:00:00 +0000", flags: mailbox.FlagFlagged},
		{text: "Date: Wed, 01 Jan 2025 09:00:00 +0000\r\nFrom: a@example.org\r\nSubject: old big\r\n\r\n" + big + "\r\n",
			recv: "01-Jan-2025 09:00:00 +0000"},
		{text: "Date: " + now + "\r\nFrom: a@example.org\r\nSubject: new small deleted\r\n\r\nx\r\n", flags: mailbox.FlagDeleted},
		{text: "From: a@example.org\r\nSubject: no date header, old delivery\r\n\r\nx\r\n", recv: "01-Feb-2025 09:00:00 +0000"},
		{text: "Date: " + now + "\r\nFrom: a@example.org\r\nSubject: new big\r\n\r\n" + big + "\r\n"},
		{text: "Date: " + now + "\r\nFrom: a@example.org\r\nSubject: new date, old delivery\r\n\r\nx\r\n", recv: "01-Mar-2025 09:00:00 +0000"},
	}
}

// TestIpurgeMatchesCyrus compares ipurge's dry-run listings and totals
// (per criterion) and its real-run totals with Cyrus 3.6.1's
// (test/compat/fixtures/ipurge.txt), on the same messages; dates that
// depend on the day the test runs are compared by shape.
func TestIpurgeMatchesCyrus(t *testing.T) {
	t.Setenv("TZ", "UTC") // the capture's zone: ctime(3) dates print in it
	s := newSite(t)
	bob := bobFixtureInbox()
	// shared and shared.sub: UIDs 1-3 purged, 4-6 the same three again.
	shared := []cyrusMessage{bob[1], bob[2], bob[3], bob[1], bob[2], bob[3]}
	s.buildCyrusScenario(map[string][]cyrusMessage{
		"user.alice": nil, "user.alice.Trash": nil, "user.bob": bob, "shared": shared, "shared.sub": shared,
	}, map[string][]uint32{"shared": {1, 2, 3}, "shared.sub": {1, 2, 3}})
	for _, args := range []string{
		"-f -n -d 400 user/bob", "-f -n -X -d 400 user/bob", "-f -n -i -d 400 user/bob", "-f -n -b 1000 user/bob",
		"-f -n -i -k 1 user/bob", "-f -n -x -b 93 user/bob", "-f -n -x -i -b 93 user/bob", "-f -n -s -d 400 user/bob",
		"-f -n -o -d 0 user/bob", "-f -n -m 1 user/bob", "-f -n -v -d 0 user/nosuch", "-n -v -d 0 user/bob",
		"-n -v -d 0", "-n -v -M -d 0 shared", "-n -v -d 0 'user/*'", "-n -v -d 0 shared.sub", "-f -v -b 1000 user/bob",
	} {
		compareWithFixture(t, s, "ipurge", fixture(t, "ipurge.txt", args, 0), "\tSent: ", "\tRecv: ")
	}
}
