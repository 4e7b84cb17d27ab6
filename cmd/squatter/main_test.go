package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/squat"
)

func newBox(t *testing.T) *mailbox.Mailbox {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "box")
	if err := mailbox.Create(dir, mailbox.Header{Name: "user.fred", UniqueID: "abcdefgh", UIDValidity: 7}); err != nil {
		t.Fatal(err)
	}
	mb, err := mailbox.Open(dir, mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Close() })
	return mb
}

func appendN(t *testing.T, mb *mailbox.Mailbox, from, n int) {
	t.Helper()
	var in []mailbox.AppendMessage
	for i := from; i < from+n; i++ {
		raw := fmt.Sprintf("Subject: m%d\r\n\r\nword%d body text\r\n", i, i)
		in = append(in, mailbox.AppendMessage{Body: strings.NewReader(raw), InternalDate: time.Unix(1700000000, 0)})
	}
	if _, err := mb.Append(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func indexFile(t *testing.T, mb *mailbox.Mailbox) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(mb.Dir(), squat.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIndexMailbox: -i extends the index with what was appended since to
// exactly the index a full run writes; -s leaves an up-to-date index
// alone; a damaged index is rebuilt; no temporary file is left.
func TestIndexMailbox(t *testing.T) {
	ctx := context.Background()
	mb := newBox(t)
	appendN(t, mb, 0, 5)
	res, err := indexMailbox(ctx, mb, false, false)
	if err != nil || res.added != 5 {
		t.Fatalf("first run: %+v %v", res, err)
	}
	appendN(t, mb, 5, 3)
	res, err = indexMailbox(ctx, mb, true, false)
	if err != nil || res.added != 3 {
		t.Fatalf("incremental run: %+v %v", res, err)
	}
	inc := indexFile(t, mb)
	if res, err = indexMailbox(ctx, mb, false, true); err != nil || !res.skipped {
		t.Fatalf("-s on an unchanged mailbox: %+v %v", res, err)
	}
	if res, err = indexMailbox(ctx, mb, false, false); err != nil || res.added != 8 {
		t.Fatalf("full run: %+v %v", res, err)
	}
	if !bytes.Equal(inc, indexFile(t, mb)) {
		t.Error("the incremental index differs from the full one")
	}
	ix, err := squat.Parse(inc)
	if err != nil || ix.NumUIDs() != 8 || ix.UIDValidity != 7 {
		t.Fatalf("index: %v", err)
	}

	// A damaged index: -i and -s rebuild it rather than trust it.
	bad := indexFile(t, mb)
	bad[len(bad)/2] ^= 1
	if err := os.WriteFile(filepath.Join(mb.Dir(), squat.FileName), bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if res, err = indexMailbox(ctx, mb, true, true); err != nil || res.added != 8 || res.skipped {
		t.Fatalf("over a damaged index: %+v %v", res, err)
	}
	if !bytes.Equal(inc, indexFile(t, mb)) {
		t.Error("the rebuilt index differs")
	}
	names, _ := filepath.Glob(filepath.Join(mb.Dir(), "tmp.*"))
	if len(names) > 0 {
		t.Errorf("temporary files left: %v", names)
	}
}
