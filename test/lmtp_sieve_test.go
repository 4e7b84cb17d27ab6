package test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
)

// sieveLMTPSite is an lmtpd site with a script store and a sendmail that
// records its calls.
type sieveLMTPSite struct {
	*lmtpSite
	sendmailLog string
}

// fakeSendmail appends "ARGS: <argv>", the message and "--END--" to log.
const fakeSendmail = `#!/bin/sh
{ echo "ARGS: $*"; cat; echo "--END--"; } >> %q
`

func newSieveLMTPSite(t *testing.T, extra ...string) *sieveLMTPSite {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "sendmail.log")
	sm := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(sm, fmt.Appendf(nil, fakeSendmail, logPath), 0o755); err != nil {
		t.Fatal(err)
	}
	extra = append([]string{"sievedir: " + filepath.Join(dir, "sieve"), "sendmail: " + sm, "servername: localhost"}, extra...)
	return &sieveLMTPSite{lmtpSite: newLMTPSite(t, extra...), sendmailLog: logPath}
}

// activate stores src as user's active script, as timsieved would.
func (ss *sieveLMTPSite) activate(user, src string) {
	ss.t.Helper()
	d, err := sievescripts.FromConfig(ss.st.Config()).UserDir(user)
	if err != nil {
		ss.t.Fatal(err)
	}
	if err := d.Put("main", []byte(src)); err != nil {
		ss.t.Fatal(err)
	}
	if err := d.SetActive("main"); err != nil {
		ss.t.Fatal(err)
	}
}

// sent returns the recorded sendmail calls: argv line and message each.
func (ss *sieveLMTPSite) sent() []string {
	b, err := os.ReadFile(ss.sendmailLog)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		ss.t.Fatal(err)
	}
	var out []string
	for _, part := range strings.Split(string(b), "--END--\n") {
		if strings.TrimSpace(part) != "" {
			out = append(out, part)
		}
	}
	return out
}

// keywords returns the keywords of each message of a mailbox.
func (ls *lmtpSite) keywords(name string) [][]string {
	ls.t.Helper()
	mb, _, err := ls.st.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		ls.t.Fatalf("open %s: %v", name, err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		ls.t.Fatal(err)
	}
	var out [][]string
	for _, r := range v.Records {
		out = append(out, v.FlagNames(r))
	}
	return out
}

const classicScript = `require ["fileinto", "reject"];
if header :contains "Subject" "[CIRCLE]" { fileinto "%s"; }
if header :contains "Subject" "A great Shockwave flash movie" { reject "Possible virus? Check your system!"; }
if header :contains "Received" ".da.uu.net" { fileinto "%s"; }
if anyof (not address :all :contains ["To", "Cc", "Bcc"] "yourname@youraddress.com") { fileinto "%s"; }
`

func classicMessage(id, subject, to, received string) string {
	m := ""
	if received != "" {
		m = "Received: " + received + "\r\n"
	}
	return m + fmt.Sprintf("From: Bob <bob@remote.example>\r\nTo: %s\r\nSubject: %s\r\n"+
		"Date: Tue, 07 Jan 2025 09:00:01 +0000\r\nMessage-ID: <%s>\r\n\r\nBody.\r\n", to, subject, id)
}

// TestLMTPSieveClassic runs the Cyrus 2.1 documentation's example with
// altnamespace off (names as written) and on.
func TestLMTPSieveClassic(t *testing.T) {
	for _, tc := range []struct {
		alt          string
		circle, junk string // as the script names them
	}{
		{"altnamespace: 0", "INBOX.Circle List", "INBOX.Junk"},
		{"altnamespace: 1", "Circle List", "Junk"},
	} {
		t.Run(tc.alt, func(t *testing.T) {
			ss := newSieveLMTPSite(t, tc.alt, "unixhierarchysep: 0")
			ss.mkbox("user.alice", "")
			ss.mkbox("user.alice.Circle List", "")
			ss.mkbox("user.alice.Junk", "")
			ss.activate("alice", fmt.Sprintf(classicScript, tc.circle, tc.junk, tc.junk))
			ss.start()
			me := "yourname@youraddress.com"
			res := pySend(t, ss.unix,
				lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: classicMessage("c1@x", "[CIRCLE] meeting", me, "")},
				lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: classicMessage("c2@x", "A great Shockwave flash movie", me, "")},
				lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: classicMessage("c3@x", "relay", me, "from mx1.da.uu.net by x")},
				lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: classicMessage("c4@x", "not for me", "other@else.example", "")},
				lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: classicMessage("c5@x", "hello", me, "")},
			)
			want := [][]int{{250}, {550}, {250}, {250}, {250}}
			for i, r := range res {
				if !eqInts(r.Data, want[i]) {
					t.Errorf("message %d: DATA replies %v, want %v", i+1, r.Data, want[i])
				}
			}
			for box, subjects := range map[string][]string{
				"user.alice.Circle List": {"[CIRCLE] meeting"},
				"user.alice.Junk":        {"relay", "not for me"},
				"user.alice":             {"hello"},
			} {
				got := ss.messages(box)
				if len(got) != len(subjects) {
					t.Errorf("%s holds %d messages, want %d", box, len(got), len(subjects))
					continue
				}
				for i, s := range subjects {
					if !strings.Contains(got[i], "Subject: "+s+"\r\n") {
						t.Errorf("%s message %d is not %q:\n%s", box, i+1, s, got[i])
					}
				}
			}
			if s := ss.sent(); len(s) != 0 {
				t.Errorf("sendmail called: %q", s)
			}
		})
	}
}

// TestLMTPSieveRejectLMTPReply checks the reply text, and the bounce when
// sieve_use_lmtp_reject is off.
func TestLMTPSieveRejectBounce(t *testing.T) {
	ss := newSieveLMTPSite(t, "sieve_use_lmtp_reject: 0")
	ss.mkbox("user.alice", "")
	ss.activate("alice", `require "reject"; reject "Not today.";`)
	ss.start()
	res := pySend(t, ss.tcp, lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: testMessage("r1@x", "r")})
	if !eqInts(res[0].Data, []int{250}) {
		t.Fatalf("replies %+v", res)
	}
	sent := ss.sent()
	if len(sent) != 1 || !strings.HasPrefix(sent[0], "ARGS: -i -f <> -- bob@remote.example\n") ||
		!strings.Contains(sent[0], "Not today.") || !strings.Contains(sent[0], "Auto-Submitted: auto-replied") ||
		!strings.Contains(sent[0], "Message-ID: <r1@x>") {
		t.Errorf("bounce: %q", sent)
	}
	if n := len(ss.messages("user.alice")); n != 0 {
		t.Errorf("rejected message stored %d times", n)
	}
}

// TestLMTPSieveVacation: one reply per sender per period.
func TestLMTPSieveVacation(t *testing.T) {
	ss := newSieveLMTPSite(t)
	ss.mkbox("user.alice", "")
	ss.activate("alice", `require "vacation";
vacation :days 7 :subject "Away" :addresses ["alice@localhost"] "I am away until Monday.";`)
	ss.start()
	msg := func(id, from string) string {
		return fmt.Sprintf("From: %s\r\nTo: alice@localhost\r\nSubject: question %s\r\nMessage-ID: <%s>\r\n\r\nHi\r\n", from, id, id)
	}
	res := pySend(t, ss.tcp,
		lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice@localhost"}, Msg: msg("v1@x", "bob@remote.example")},
		lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice@localhost"}, Msg: msg("v2@x", "bob@remote.example")},
		lmtpTx{From: "carol@remote.example", Rcpts: []string{"alice@localhost"}, Msg: msg("v3@x", "carol@remote.example")},
		lmtpTx{From: "", Rcpts: []string{"alice@localhost"}, Msg: msg("v4@x", "daemon@remote.example")},
	)
	for _, r := range res {
		if !eqInts(r.Data, []int{250}) {
			t.Fatalf("replies %+v", res)
		}
	}
	sent := ss.sent()
	if len(sent) != 2 {
		t.Fatalf("%d replies sent, want 2 (bob once, carol once): %q", len(sent), sent)
	}
	for i, to := range []string{"bob@remote.example", "carol@remote.example"} {
		s := sent[i]
		for _, want := range []string{"ARGS: -i -f <> -- " + to + "\n", "To: <" + to + ">\r\n", "Subject: Away\r\n",
			"Auto-Submitted: auto-replied", "From: <alice@localhost>\r\n", "I am away until Monday."} {
			if !strings.Contains(s, want) {
				t.Errorf("reply %d lacks %q:\n%s", i, want, s)
			}
		}
	}
	if !strings.Contains(sent[0], "In-Reply-To: <v1@x>\r\n") {
		t.Errorf("first reply does not answer <v1@x>:\n%s", sent[0])
	}
	if n := len(ss.messages("user.alice")); n != 4 {
		t.Errorf("INBOX holds %d messages, want 4", n)
	}
}

// TestLMTPSieveRedirectLoop: a redirect goes out through sendmail with
// the loop marker; when it comes back it is kept, not sent again.
func TestLMTPSieveRedirectLoop(t *testing.T) {
	ss := newSieveLMTPSite(t)
	ss.mkbox("user.alice", "")
	ss.activate("alice", `redirect "alice@elsewhere.example";`)
	ss.start()
	pySend(t, ss.tcp, lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: testMessage("rd1@x", "fwd")})
	sent := ss.sent()
	if len(sent) != 1 || !strings.HasPrefix(sent[0], "ARGS: -i -f bob@remote.example -- alice@elsewhere.example\n") ||
		!strings.Contains(sent[0], "X-Sieve-Redirected-From: alice\r\n") || !strings.Contains(sent[0], "Subject: fwd") {
		t.Fatalf("redirect: %q", sent)
	}
	if n := len(ss.messages("user.alice")); n != 0 {
		t.Fatalf("redirected message also stored")
	}
	// The copy loops back to alice.
	_, back, _ := strings.Cut(sent[0], "\n")
	back = strings.Replace(back, "<rd1@x>", "<rd1-back@x>", 1)
	res := pySend(t, ss.tcp, lmtpTx{From: "bob@remote.example", Rcpts: []string{"alice"}, Msg: back})
	if !eqInts(res[0].Data, []int{250}) {
		t.Fatalf("replies %+v", res)
	}
	if got := ss.sent(); len(got) != 1 {
		t.Errorf("looping message redirected again: %d sendmail calls", len(got))
	}
	if n := len(ss.messages("user.alice")); n != 1 {
		t.Errorf("looping message stored %d times, want 1", n)
	}
}

// TestLMTPSieveFailure: a script that fails at run time (and one that
// does not compile) delivers to INBOX with $SieveFailed.
func TestLMTPSieveFailure(t *testing.T) {
	ss := newSieveLMTPSite(t, "altnamespace: 0", "unixhierarchysep: 0")
	ss.mkbox("user.alice", "")
	ss.mkbox("user.bob", "")
	ss.activate("alice", `require ["reject", "fileinto"]; fileinto "INBOX.x"; reject "no";`)
	ss.activate("bob", `this is not sieve;`)
	ss.start()
	res := pySend(t, ss.tcp, lmtpTx{From: "x@remote.example", Rcpts: []string{"alice", "bob"}, Msg: testMessage("f1@x", "fail")})
	if !eqInts(res[0].Data, []int{250, 250}) {
		t.Fatalf("replies %+v", res)
	}
	for _, box := range []string{"user.alice", "user.bob"} {
		kw := ss.keywords(box)
		if len(kw) != 1 || !strings.Contains(strings.Join(kw[0], " "), "$SieveFailed") {
			t.Errorf("%s: flags %q, want one message with $SieveFailed", box, kw)
		}
	}
}

// TestLMTPSievePerRecipient: one transaction, each recipient's own script
// (Cyrus bug #4878), plus imap4flags and editheader on the stored copy.
func TestLMTPSievePerRecipient(t *testing.T) {
	ss := newSieveLMTPSite(t, "altnamespace: 0", "unixhierarchysep: 0")
	for _, b := range []string{"user.alice", "user.alice.A", "user.bob", "user.bob.B", "user.carol"} {
		ss.mkbox(b, "")
	}
	ss.activate("alice", `require ["fileinto", "imap4flags", "editheader"];
addheader "X-Filtered-For" "alice"; deleteheader "X-Junk";
fileinto :flags ["\\Flagged", "$Label1"] "INBOX.A";`)
	ss.activate("bob", `require ["fileinto", "mailbox"]; fileinto "INBOX.B"; fileinto :create "INBOX.New";`)
	ss.start()
	msg := strings.Replace(testMessage("pr1@x", "multi"), "Subject:", "X-Junk: 1\r\nSubject:", 1)
	res := pySend(t, ss.unix, lmtpTx{From: "x@remote.example", Rcpts: []string{"alice", "bob", "carol"}, Msg: msg})
	if !eqInts(res[0].Data, []int{250, 250, 250}) {
		t.Fatalf("replies %+v", res)
	}
	want := map[string]int{"user.alice": 0, "user.alice.A": 1, "user.bob": 0, "user.bob.B": 1, "user.bob.New": 1, "user.carol": 1}
	for box, n := range want {
		if got := len(ss.messages(box)); got != n {
			t.Errorf("%s holds %d messages, want %d", box, got, n)
		}
	}
	if m := ss.messages("user.alice.A"); len(m) == 1 {
		if !strings.HasPrefix(m[0], "X-Filtered-For: alice\r\n") || strings.Contains(m[0], "X-Junk") {
			t.Errorf("edited copy:\n%s", m[0])
		}
		if kw := strings.Join(ss.keywords("user.alice.A")[0], " "); !strings.Contains(kw, `\Flagged`) || !strings.Contains(kw, "$Label1") {
			t.Errorf("flags %q", kw)
		}
	}
	if m := ss.messages("user.carol"); len(m) == 1 && strings.Contains(m[0], "X-Filtered-For") {
		t.Errorf("alice's edit leaked into carol's copy")
	}
}

// TestLMTPSieveThroughput compares delivery with a 30-rule script against
// none (go test -v -run SieveThroughput ./test/); the target is a
// ratio of at least 0.8. The ratio is logged; what is checked is that
// every delivery is filed (fewer in -short).
func TestLMTPSieveThroughput(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 40
	}
	ss := newSieveLMTPSite(t, "altnamespace: 0", "unixhierarchysep: 0")
	ss.mkbox("user.plain", "")
	ss.mkbox("user.filtered", "")
	var rules strings.Builder
	rules.WriteString(`require ["fileinto", "imap4flags"];` + "\n")
	for i := range 30 {
		fmt.Fprintf(&rules, "if anyof (header :contains \"Subject\" \"topic-%d\", address :is \"From\" \"list%d@example.org\") { fileinto \"INBOX.f%d\"; }\n", i, i, i)
	}
	ss.activate("filtered", rules.String())
	ss.start()
	measure := func(rcpt string, first int) float64 {
		start := time.Now()
		if err := lmtpBlast(t, ss.tcp, rcpt, first, n); err != nil {
			t.Fatal(err)
		}
		return float64(n) / time.Since(start).Seconds()
	}
	measure("plain", 0) // warm up
	var plain, filtered float64
	for round := range 2 {
		plain += measure("plain", 10000*(round+1))
		filtered += measure("filtered", 10000*(round+1)+5000)
	}
	t.Logf("%d x 4 KiB: no script %.0f msg/s, 30-rule script %.0f msg/s, ratio %.2f", n, plain/2, filtered/2, filtered/plain)
	if got := len(ss.messages("user.filtered")); got != 2*n {
		t.Fatalf("%d messages filtered into INBOX, want %d", got, 2*n)
	}
}
