package fetch

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// testBox is a mailbox in a temp dir holding the given messages.
type testBox struct {
	mb   *mailbox.Mailbox
	view *mailbox.View
}

var testDate = time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))

func newBox(tb testing.TB, msgs ...string) *testBox {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "mbox")
	if err := mailbox.Create(dir, mailbox.Header{Name: "user.fred", UniqueID: "abcdefgh", UIDValidity: 42}); err != nil {
		tb.Fatal(err)
	}
	mb, err := mailbox.Open(dir, mailbox.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { mb.Close() })
	const batch = 500
	for len(msgs) > 0 {
		n := min(batch, len(msgs))
		var am []mailbox.AppendMessage
		for _, m := range msgs[:n] {
			am = append(am, mailbox.AppendMessage{Body: strings.NewReader(m), InternalDate: testDate,
				Flags: mailbox.FlagSeen, Keywords: []string{"$Forwarded"}})
		}
		if _, err := mb.Append(context.Background(), am); err != nil {
			tb.Fatal(err)
		}
		msgs = msgs[n:]
	}
	v, err := mb.Snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	return &testBox{mb: mb, view: v}
}

// message returns the i-th message (0-based) as the session would build it.
func (b *testBox) message(i int) *Message {
	rec := b.view.Records[i]
	return &Message{
		Seq: uint32(i + 1), UID: rec.UID, Flags: b.view.FlagNames(rec), ModSeq: rec.ModSeq,
		Record: rec, View: b.view,
		Open: func() (*os.File, error) { return b.mb.OpenMessage(rec.UID) },
	}
}

// fileMessage is a message known only by its file: no index record, no
// cache (the fuzz test's and the file-path tests' view).
func fileMessage(tb testing.TB, raw []byte) *Message {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "1.")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	return &Message{Seq: 1, UID: 1, Record: mailbox.Record{UID: 1, Size: uint32(len(raw))},
		Open: func() (*os.File, error) { return os.Open(path) }}
}

// parseItems parses a FETCH item list the way the session does.
func parseItems(tb testing.TB, items string) []wire.FetchItem {
	tb.Helper()
	r := wire.NewReader(strings.NewReader("a FETCH 1 ("+items+")\r\n"), wire.Options{})
	if _, err := r.ReadCommand(); err != nil {
		tb.Fatal(err)
	}
	c, err := wire.ParseFetch(r, false)
	if err != nil {
		tb.Fatalf("parse %q: %v", items, err)
	}
	return c.Items
}

// render writes the items of m and returns the text between the FETCH
// parentheses.
func render(m *Message, items []wire.FetchItem) (string, bool, error) {
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	w.BeginFetch(m.Seq)
	seen, err := Write(w, m, items)
	if err != nil {
		return "", seen, err
	}
	w.EndFetch()
	if err := w.Flush(); err != nil {
		return "", seen, err
	}
	out := buf.String()
	prefix := "* " + strconv.Itoa(int(m.Seq)) + " FETCH ("
	if !strings.HasPrefix(out, prefix) || !strings.HasSuffix(out, ")\r\n") {
		return out, seen, errUnframed
	}
	return out[len(prefix) : len(out)-3], seen, nil
}

var errUnframed = errors.New("response not framed as * n FETCH (...)")

// lit renders content as the literal or "" Write sends for it.
func lit(s string) string {
	if s == "" {
		return `""`
	}
	return "{" + strconv.Itoa(len(s)) + "}\r\n" + s
}

func itoa(n int) string { return strconv.Itoa(n) }
