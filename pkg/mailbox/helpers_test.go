package mailbox

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testMessage(i int, subject string) string {
	return fmt.Sprintf("From: Fred Foo <fred@example.com>\r\nTo: bob@example.org\r\nSubject: %s\r\n"+
		"Date: Mon, 2 Jan 2006 15:04:05 -0700\r\nMessage-ID: <m%d@example.com>\r\n\r\nbody %d\r\n", subject, i, i)
}

func newMailbox(t testing.TB, opts Options) *Mailbox {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "uuid", "a", "b", "abcdefgh")
	if err := Create(dir, Header{Name: "user.fred", UniqueID: "abcdefgh", UIDValidity: 42}); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func appendN(t testing.TB, m *Mailbox, n int) []uint32 {
	t.Helper()
	var msgs []AppendMessage
	for i := 0; i < n; i++ {
		msgs = append(msgs, AppendMessage{Body: strings.NewReader(testMessage(i, fmt.Sprint("msg ", i))),
			InternalDate: time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))})
	}
	uids, err := m.Append(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	return uids
}

func mustSnapshot(t testing.TB, m *Mailbox) *View {
	t.Helper()
	v, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return v
}
