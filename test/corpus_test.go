package test

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"gocyrus/internal/corpus"
)

// TestDovecotCorpus is issue 15's differential corpus: every message of
// test/corpus/messages is APPENDed to imapd, the FETCH, SEARCH and SORT
// commands of the Dovecot transcripts (test/corpus/dovecot, captured by
// scripts/capture-dovecot-corpus) are replayed, and each answer must equal
// Dovecot's or be listed in test/corpus/differences.md with its reason.
// A listed difference that no longer occurs fails too, so the list stays
// true.
func TestDovecotCorpus(t *testing.T) {
	msgs, err := corpus.LoadMessages(filepath.Join("corpus", "messages"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		t.Fatal("no corpus messages")
	}
	allowed := readCorpusDifferences(t)

	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Bounds the whole replay: a hung imapd fails the test.
	conn.SetDeadline(time.Now().Add(hangTimeout))
	c, _, err := corpus.NewClient(bufio.NewReader(conn), conn)
	if err != nil {
		t.Fatal(err)
	}
	const mailbox = "INBOX.corpus"
	for _, cmd := range []string{"LOGIN alice secret", "CREATE " + mailbox} {
		corpusOK(t, c, cmd)
	}
	for i, m := range msgs {
		corpusOK(t, c, corpus.AppendCommand(mailbox, i, m.Data))
	}
	corpusOK(t, c, "SELECT "+mailbox)

	seen := map[string]bool{}
	names := []string{"_queries"}
	for _, m := range msgs {
		names = append(names, m.Name)
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("corpus", "dovecot", name+".txt"))
		if err != nil {
			t.Fatalf("%s: no Dovecot transcript (run scripts/capture-dovecot-corpus): %v", name, err)
		}
		ex, err := corpus.ReadTranscript(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range ex {
			want, err := corpus.ParseReply(e.Reply)
			if err != nil {
				t.Fatalf("%s: Dovecot's reply to %s: %v", name, e.Command, err)
			}
			reply, err := c.Do(e.Command)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, err := corpus.ParseReply(reply)
			if err != nil {
				t.Errorf("%s: %s: imapd's reply: %v\n%s", name, e.Command, err, reply)
				continue
			}
			diff := corpus.Diff(want, got)
			if len(diff) == 0 {
				continue
			}
			key := differenceKey(name, e.Command)
			if _, ok := allowed[key]; ok {
				seen[key] = true
				continue
			}
			if _, ok := allowed[name+" *"]; ok {
				seen[name+" *"] = true
				continue
			}
			t.Errorf("%s: %s differs from Dovecot (fix it, or list %q in test/corpus/differences.md with the reason):\n  %s",
				name, e.Command, key, strings.Join(diff, "\n  "))
		}
	}
	var stale []string
	for key := range allowed {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("test/corpus/differences.md lists %q, but imapd now answers as Dovecot does: remove the row", key)
	}
}

// corpusOK sends cmd and fails the test unless the answer is OK.
func corpusOK(t *testing.T, c *corpus.Client, cmd string) {
	t.Helper()
	reply, err := c.Do(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := corpus.ParseReply(reply); err != nil || !strings.HasPrefix(a.Status, "OK") {
		t.Fatalf("%s: %s", strings.SplitN(cmd, "\r\n", 2)[0], reply)
	}
}

var fetchSeq = regexp.MustCompile(`^(UID )?FETCH \d+ `)

// differenceKey names one command of one case independently of the
// message's sequence number: "addr-group FETCH (ENVELOPE)".
func differenceKey(name, command string) string {
	return name + " " + fetchSeq.ReplaceAllString(command, "${1}FETCH ")
}

// readCorpusDifferences reads the table rows of differences.md:
// "| case | command | reason |", keyed as differenceKey keys them; the
// command "*" covers every command of the case. A row without a reason is
// a mistake in the file.
func readCorpusDifferences(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("corpus", "differences.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 3 || cells[0] == "case" || strings.HasPrefix(cells[0], "-") {
			continue
		}
		key := strings.Trim(cells[0], "`") + " " + strings.Trim(cells[1], "`")
		if strings.TrimSpace(cells[2]) == "" {
			t.Fatalf("differences.md:%d: %q has no reason", i+1, key)
		}
		if _, dup := rows[key]; dup {
			t.Fatalf("differences.md:%d: %q listed twice", i+1, key)
		}
		rows[key] = cells[2]
	}
	return rows
}
