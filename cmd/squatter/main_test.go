package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/squat"
)

func newBox(t testing.TB) *mailbox.Mailbox {
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
	res, err := indexMailbox(ctx, mb, false)
	if err != nil || res.messages != 5 || res.bytes == 0 || res.indexBytes == 0 {
		t.Fatalf("first run: %+v %v", res, err)
	}
	appendN(t, mb, 5, 3)
	res, err = indexMailbox(ctx, mb, true)
	if err != nil || res.messages != 3 {
		t.Fatalf("incremental run: %+v %v", res, err)
	}
	inc := indexFile(t, mb)
	if unchanged, err := indexUnchanged(mb); err != nil || !unchanged {
		t.Fatalf("-s on an unchanged mailbox: %v %v", unchanged, err)
	}
	if res, err = indexMailbox(ctx, mb, false); err != nil || res.messages != 8 {
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
	if unchanged, err := indexUnchanged(mb); err != nil || unchanged {
		t.Fatalf("-s over a damaged index: %v %v", unchanged, err)
	}
	if res, err = indexMailbox(ctx, mb, true); err != nil || res.messages != 8 {
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

// benchWords is the vocabulary of the bench harness's messages
// (mailbench's msggen.go): realistic text made of a few common words.
var benchWords = strings.Fields("the quarterly report meeting agenda invoice project update review deadline " +
	"budget next steps proposal draft final box shipment tax status team lunch friday server backup " +
	"migration index customer feedback release notes fix urgent please confirm schedule complex plan " +
	"travel expenses hello world thanks regards question answer mailbox quota relay")

// BenchmarkIndexMailbox builds the index of 2000 messages of about 1500
// bytes, as the bench harness fills a mailbox (issue 17): a profile of it
// (-cpuprofile) shows where squatter's time goes.
func BenchmarkIndexMailbox(b *testing.B) {
	mb := newBox(b)
	r := rand.New(rand.NewPCG(17, 42))
	var in []mailbox.AppendMessage
	for i := range 2000 {
		var m strings.Builder
		fmt.Fprintf(&m, "From: user%d@example.org\r\nSubject: message %d\r\nMessage-ID: <%d@bench>\r\n\r\n", r.IntN(500), i, i)
		for line := 0; m.Len() < 1500; line++ {
			m.WriteString(benchWords[r.IntN(len(benchWords))])
			if line%10 == 9 {
				m.WriteString("\r\n")
			} else {
				m.WriteByte(' ')
			}
		}
		m.WriteString("\r\n")
		in = append(in, mailbox.AppendMessage{Body: strings.NewReader(m.String()), InternalDate: time.Unix(1700000000, 0)})
	}
	if _, err := mb.Append(context.Background(), in); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := indexMailbox(context.Background(), mb, false); err != nil {
			b.Fatal(err)
		}
	}
}
