package test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/sasldb"
)

// TestIMAPTranscriptMatchesCyrus is issue 15's "same replies" check: it
// builds in gocyrus the state test/compat/fixtures/README.md describes
// (users, mailboxes, ACLs, quota, two deliveries), replays every client
// line of imap-transcript.txt (captured from a real Cyrus 3.6.1) and
// compares each reply with Cyrus's after transcriptNormalize. Capability
// lists compare as sets. A difference must be listed, with its reason, in
// test/compat/imap-transcript-differences.md; a listed one that no longer
// differs fails too, so the list stays true.
func TestIMAPTranscriptMatchesCyrus(t *testing.T) {
	sessions := readIMAPTranscript(t, filepath.Join("compat", "fixtures", "imap-transcript.txt"))
	allowed := readTranscriptDifferences(t, filepath.Join("compat", "imap-transcript-differences.md"))
	_, imapd := startTranscriptSite(t)

	seen := map[string]bool{}
	capDiff := map[string]bool{}
	check := func(key, what string, cyrus, ours []string) {
		want, wantCaps := transcriptNormalize(cyrus)
		got, gotCaps := transcriptNormalize(ours)
		if len(wantCaps) == len(gotCaps) {
			for i := range wantCaps {
				capabilityDiff(wantCaps[i], gotCaps[i], capDiff)
			}
		}
		if strings.Join(want, "\n") == strings.Join(got, "\n") {
			return
		}
		if _, ok := allowed[key]; ok {
			seen[key] = true
			return
		}
		t.Errorf("%s differs from Cyrus 3.6.1 (fix it, or list %q in test/compat/imap-transcript-differences.md with the reason):\n  Cyrus:   %s\n  gocyrus: %s",
			what, key, strings.Join(want, "\n           "), strings.Join(got, "\n           "))
	}
	for _, s := range sessions {
		conn, err := net.Dial("tcp", imapd.addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(hangTimeout))
		r := bufio.NewReader(conn)
		greeting, err := readIMAPLine(r)
		if err != nil {
			t.Fatalf("session %d greeting: %v", s.number, err)
		}
		check(fmt.Sprintf("%d greeting", s.number), fmt.Sprintf("session %d greeting", s.number),
			s.greeting, []string{greeting})
		for _, ex := range s.exchanges {
			if _, err := conn.Write([]byte(ex.command + "\r\n")); err != nil {
				t.Fatalf("session %d: %s: %v", s.number, ex.command, err)
			}
			tag, _, _ := strings.Cut(ex.command, " ")
			var got []string
			for {
				line, err := readIMAPLine(r)
				if err != nil {
					t.Fatalf("session %d: %s: %v (read so far: %q)", s.number, ex.command, err, got)
				}
				got = append(got, line)
				if strings.HasPrefix(line, tag+" ") {
					break
				}
			}
			check(fmt.Sprintf("%d %s", s.number, ex.command), fmt.Sprintf("session %d: %s", s.number, ex.command),
				ex.replies, got)
		}
		conn.Close()
	}
	var caps []string
	for c := range capDiff {
		caps = append(caps, c)
	}
	sort.Strings(caps)
	for _, c := range caps {
		key := "capability " + c
		if _, ok := allowed[key]; ok {
			seen[key] = true
			continue
		}
		t.Errorf("capability %s (- Cyrus only, + gocyrus only): list %q in test/compat/imap-transcript-differences.md with the reason", c, key)
	}
	var stale []string
	for key := range allowed {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("test/compat/imap-transcript-differences.md lists %q, but gocyrus now answers as Cyrus does: remove the row", key)
	}
}

// startTranscriptSite runs lmtpd and imapd on a site configured as the
// Cyrus instance was (test/compat/fixtures/realcyrus-imapd.conf: servername
// localhost, virtdomains userid, a second partition "other", passwords =
// user names, dave's "dave") and builds the transcripts' starting state.
func startTranscriptSite(t *testing.T) (*lmtpSite, imapdProc) {
	t.Helper()
	ls := newLMTPSite(t, "allowplaintext: yes", "servername: localhost", "virtdomains: userid",
		"altnamespace: yes", "unixhierarchysep: yes", "partition-other: "+t.TempDir())
	db := ls.st.DB()
	for user, pw := range map[string]string{"cyrus": "cyrus", "alice": "alice", "bob": "bob", "dave@example.org": "dave"} {
		if err := sasldb.New(db).SetPassword(context.Background(), user, pw, true); err != nil {
			t.Fatal(err)
		}
	}
	ls.startUntrusted() // as the Cyrus instance: TCP clients must AUTH
	imapd := startImapdDaemon(t, ls.site, "imapd.log")
	buildTranscriptState(t, imapd.addr, ls.unix)
	return ls, imapd
}

// buildTranscriptState makes the state the Cyrus transcript started from
// (test/compat/fixtures/README.md), the way it was made there: mailboxes,
// ACLs and quota over IMAP as cyrus, then two deliveries to alice over
// lmtpd's unix socket (lmtpSocket), as the README says.
func buildTranscriptState(t *testing.T, imapAddr, lmtpSocket string) {
	t.Helper()
	conn, err := net.Dial("tcp", imapAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(hangTimeout))
	r := bufio.NewReader(conn)
	if _, err := readIMAPLine(r); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range []string{
		"LOGIN cyrus cyrus",
		"CREATE user/alice",
		"CREATE user/alice/Sent (USE (\\Sent))",
		"CREATE user/alice/Work",
		"CREATE user/alice/Work/2024",
		"CREATE user/bob",
		"CREATE user/carol.smith",
		"CREATE user/dave@example.org",
		"CREATE board other",
		"SETACL board anyone lrs",
		"SETACL board group:staff lrswipkxtecd",
		"SETACL board -bob w",
		"SETACL board postman p",
		"SETACL board alice lrs",
		"CREATE board/archive",
		"SETACL user/alice/Work bob lrs",
		"SETACL user/alice/Work -anyone r",
		"RENAME user/alice/Work/2024 user/alice/Work/Old2024",
		"SETQUOTA user/alice (STORAGE 10000 MESSAGE 500)",
		"LOGOUT",
	} {
		tag := fmt.Sprintf("s%03d", i)
		fmt.Fprintf(conn, "%s %s\r\n", tag, cmd)
		for {
			line, err := readIMAPLine(r)
			if err != nil {
				t.Fatalf("setup %s: %v", cmd, err)
			}
			if strings.HasPrefix(line, tag+" ") {
				if !strings.HasPrefix(line, tag+" OK") {
					t.Fatalf("setup %s: %s", cmd, line)
				}
				break
			}
		}
	}

	lc, err := net.Dial("unix", lmtpSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	lc.SetDeadline(time.Now().Add(hangTimeout))
	tp := textproto.NewConn(lc)
	expect := func(code int) {
		t.Helper()
		if _, msg, err := tp.ReadResponse(code); err != nil {
			t.Fatalf("LMTP: want %d: %v %s", code, err, msg)
		}
	}
	expect(220)
	tp.PrintfLine("LHLO client.example")
	expect(250)
	for n := 1; n <= 2; n++ {
		tp.PrintfLine("MAIL FROM:<bob@localhost>")
		expect(250)
		tp.PrintfLine("RCPT TO:<alice>")
		expect(250)
		tp.PrintfLine("DATA")
		expect(354)
		w := tp.DotWriter()
		fmt.Fprintf(w, "From: Bob <bob@localhost>\r\nTo: Alice <alice@localhost>\r\nSubject: test message %d\r\n"+
			"Date: Mon, 06 Jan 2025 10:0%d:00 +0000\r\nMessage-ID: <fixture-%d@localhost>\r\n\r\n"+
			"Hello Alice, this is message %d.\r\n", n, n, n, n)
		w.Close()
		expect(250)
	}
	tp.PrintfLine("QUIT")
	expect(221)
}

// transcriptSession is one session of the transcript: the greeting, then
// each client line with the lines the server answered.
type transcriptSession struct {
	number    int
	header    string // the "# Session N: ..." line
	greeting  []string
	exchanges []transcriptExchange
}

type transcriptExchange struct {
	command string
	replies []string
}

var sessionHeader = regexp.MustCompile(`^# Session (\d+):`)

// readIMAPTranscript reads "C: " and "S: " lines grouped by the
// "# Session N:" headers; other comment lines and blank lines are skipped.
func readIMAPTranscript(t *testing.T, path string) []transcriptSession {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []transcriptSession
	for i, line := range strings.Split(string(data), "\n") {
		if m := sessionHeader.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			out = append(out, transcriptSession{number: n, header: line})
			continue
		}
		kind, text, ok := strings.Cut(line, ": ")
		if !ok || (kind != "C" && kind != "S") {
			continue
		}
		if len(out) == 0 {
			t.Fatalf("%s:%d: a transcript line before the first session header", path, i+1)
		}
		s := &out[len(out)-1]
		switch {
		case kind == "C":
			s.exchanges = append(s.exchanges, transcriptExchange{command: text})
		case len(s.exchanges) == 0:
			s.greeting = append(s.greeting, text)
		default:
			e := &s.exchanges[len(s.exchanges)-1]
			e.replies = append(e.replies, text)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no sessions", path)
	}
	return out
}

// readIMAPLine reads one response line without its CRLF, with any
// literal it announces ({n} at the end) read into it.
func readIMAPLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return b.String() + line, err
		}
		line = strings.TrimRight(line, "\r\n")
		b.WriteString(line)
		m := literalAtEnd.FindStringSubmatch(line)
		if m == nil {
			return b.String(), nil
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 1<<20 {
			return b.String(), fmt.Errorf("literal of %q bytes", m[1])
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(r, lit); err != nil {
			return b.String(), err
		}
		b.Write(lit)
	}
}

var literalAtEnd = regexp.MustCompile(`\{(\d+)\+?\}$`)

var (
	// What must differ between two servers and two runs.
	sessionIDText = regexp.MustCompile(`SESSIONID=<[^>]*>`)
	timingText    = regexp.MustCompile(` \(\d+\.\d+ secs?( \d+ calls)?\)$`)
	uidvalidity   = regexp.MustCompile(`UIDVALIDITY \d+`)
	mailboxID     = regexp.MustCompile(`MAILBOXID \([^)]*\)`)
	internalDate  = regexp.MustCompile(`INTERNALDATE "[^"]*"`)
	greetingText  = regexp.MustCompile(`\] (\S+) \S+ IMAP \S+ server ready$`)
	capabilityRun = regexp.MustCompile(`CAPABILITY ([^\]]*)`)
)

// transcriptNormalize blanks what must differ: session ids, the timing
// Cyrus appends to some completions, UIDVALIDITY and MAILBOXID values,
// INTERNALDATE (the time of delivery), the product name and version in
// the greeting (the host name, servername, is compared). Capability lists are replaced by "..." and returned apart, to
// be compared as sets.
func transcriptNormalize(lines []string) (out []string, caps [][]string) {
	out = make([]string, len(lines))
	for i, l := range lines {
		l = sessionIDText.ReplaceAllString(l, "SESSIONID=<...>")
		l = timingText.ReplaceAllString(l, "")
		l = uidvalidity.ReplaceAllString(l, "UIDVALIDITY N")
		l = mailboxID.ReplaceAllString(l, "MAILBOXID (...)")
		l = internalDate.ReplaceAllString(l, `INTERNALDATE "..."`)
		l = greetingText.ReplaceAllString(l, "] $1 ... IMAP ... server ready")
		l = capabilityRun.ReplaceAllStringFunc(l, func(m string) string {
			caps = append(caps, strings.Fields(strings.TrimPrefix(m, "CAPABILITY ")))
			return "CAPABILITY ..."
		})
		out[i] = l
	}
	return out, caps
}

// capabilityDiff adds to diff what differs between two capability lists
// as sets: "-NAME" Cyrus only, "+NAME" gocyrus only.
func capabilityDiff(cyrus, ours []string, diff map[string]bool) {
	set := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, c := range list {
			m[strings.ToUpper(c)] = true
		}
		return m
	}
	want, got := set(cyrus), set(ours)
	for c := range want {
		if !got[c] {
			diff["-"+c] = true
		}
	}
	for c := range got {
		if !want[c] {
			diff["+"+c] = true
		}
	}
}

// readTranscriptDifferences reads the rows "| session | command | reason |"
// of a differences file, keyed "session command" ("2 a022 SELECT INBOX",
// "1 greeting", "capability -XLIST"). A row without a reason, or listed
// twice, is a mistake in the file.
func readTranscriptDifferences(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 3 || cells[0] == "session" || strings.HasPrefix(cells[0], "-") {
			continue
		}
		key := strings.Trim(cells[0], "`") + " " + strings.Trim(cells[1], "`")
		if strings.TrimSpace(cells[2]) == "" {
			t.Fatalf("%s:%d: %q has no reason", path, i+1, key)
		}
		if _, dup := rows[key]; dup {
			t.Fatalf("%s:%d: %q listed twice", path, i+1, key)
		}
		rows[key] = cells[2]
	}
	return rows
}
