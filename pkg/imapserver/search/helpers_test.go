package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

type testMsg struct {
	raw   string
	flags []string
	date  time.Time // internal date; zero: 2024-01-02 03:04:05 +0100
}

// newBox appends msgs to a fresh mailbox and returns them as candidates.
func newBox(t testing.TB, msgs []testMsg) []Candidate {
	t.Helper()
	cands, m := buildBox(t, filepath.Join(t.TempDir(), "box"), msgs)
	t.Cleanup(func() { m.Close() })
	return cands
}

// buildBox creates the mailbox in dir; the caller closes it.
func buildBox(t testing.TB, dir string, msgs []testMsg) ([]Candidate, *mailbox.Mailbox) {
	t.Helper()
	if err := mailbox.Create(dir, mailbox.Header{Name: "user.fred", UniqueID: "abcdefgh", UIDValidity: 7}); err != nil {
		t.Fatal(err)
	}
	m, err := mailbox.Open(dir, mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const batch = 2000
	for start := 0; start < len(msgs); start += batch {
		var in []mailbox.AppendMessage
		for _, tm := range msgs[start:min(start+batch, len(msgs))] {
			d := tm.date
			if d.IsZero() {
				d = time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))
			}
			in = append(in, mailbox.AppendMessage{Body: strings.NewReader(tm.raw), InternalDate: d})
		}
		if _, err := m.Append(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	v, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	cands := make([]Candidate, len(v.Records))
	for i, r := range v.Records {
		uid := r.UID
		cands[i] = Candidate{Seq: uint32(i + 1), UID: uid, Flags: msgs[i].flags, Record: r, View: v,
			Open: func() (*os.File, error) { return m.OpenMessage(uid) }}
	}
	return cands, m
}

// mkmail builds a simple message from header lines and a body.
func mkmail(body string, headers ...string) string {
	return strings.Join(headers, "\r\n") + "\r\n\r\n" + body
}

func plain(i int, subject string) string {
	return mkmail(fmt.Sprintf("body %d\r\n", i),
		"From: Fred Foo <fred@example.com>", "To: bob@example.org",
		"Subject: "+subject, "Date: Mon, 2 Jan 2006 15:04:05 -0700",
		fmt.Sprintf("Message-ID: <m%d@example.com>", i), fmt.Sprintf("X-Seq: n%d", i))
}

// matched runs Match and returns the sequence numbers that matched.
func matched(t *testing.T, cands []Candidate, key string, env Env) []uint32 {
	t.Helper()
	k := parseKey(t, key)
	res, err := Match(context.Background(), k, cands, env)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	var out []uint32
	for i, ok := range res {
		if ok {
			out = append(out, cands[i].Seq)
		}
	}
	return out
}

// parseKey parses a search program with the wire parser.
func parseKey(t testing.TB, program string) *wire.SearchKey {
	t.Helper()
	k, err := tryParseKey(program)
	if err != nil {
		t.Fatalf("parse %q: %v", program, err)
	}
	return k
}

func tryParseKey(program string) (*wire.SearchKey, error) {
	r := wire.NewReader(strings.NewReader("a SEARCH "+program+"\r\n"), wire.Options{})
	if _, err := r.ReadCommand(); err != nil {
		return nil, err
	}
	c, err := wire.ParseSearch(r, false)
	if err != nil {
		return nil, err
	}
	return &c.Key, nil
}
