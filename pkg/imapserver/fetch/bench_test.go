package fetch

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

const benchMessages = 2000

func benchMessage(i int) string {
	return fmt.Sprintf("From: Fred Foo <fred@example.com>\r\nTo: Bob <bob@example.org>, carol@example.org\r\n"+
		"Cc: dave@example.net\r\nSubject: benchmark message %d\r\nDate: Mon, 2 Jan 2006 15:04:05 -0700\r\n"+
		"Message-ID: <m%d@example.com>\r\nIn-Reply-To: <p%d@example.com>\r\n\r\nbody %d\r\n", i, i, i, i)
}

// message4K is a 4 KiB message.
var message4K = func() string {
	h := benchMessage(0)
	return h + strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\r\n", (4096-len(h))/66)
}()

func benchBox(b *testing.B, gen func(int) string, n int) (*testBox, []*Message) {
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = gen(i)
	}
	box := newBox(b, msgs...)
	ms := make([]*Message, n)
	for i := range ms {
		ms[i] = box.message(i)
	}
	return box, ms
}

// benchFetch renders items for one message after another, as FETCH 1:*
// does, and reports the cost per message.
func benchFetch(b *testing.B, ms []*Message, items []wire.FetchItem) {
	w := wire.NewWriter(io.Discard)
	i := 0
	for b.Loop() {
		m := ms[i%len(ms)]
		i++
		w.BeginFetch(m.Seq)
		if _, err := Write(w, m, items); err != nil {
			b.Fatal(err)
		}
		w.EndFetch()
	}
	w.Flush()
}

func BenchmarkEnvelope(b *testing.B) {
	_, ms := benchBox(b, benchMessage, benchMessages)
	benchFetch(b, ms, parseItems(b, "ENVELOPE"))
}

// BenchmarkEnvelopeForEachCached reads the cache entries in bulk, as a
// session serving FETCH 1:* ENVELOPE should, and reports ns per message.
func BenchmarkEnvelopeForEachCached(b *testing.B) {
	box, ms := benchBox(b, benchMessage, benchMessages)
	items := parseItems(b, "ENVELOPE")
	w := wire.NewWriter(io.Discard)
	for b.Loop() {
		i := 0
		err := box.view.ForEachCachedBorrowed(box.view.Records, func(_ mailbox.Record, c *mailbox.Cached) error {
			m := ms[i]
			i++
			m.Cached = c
			defer func() { m.Cached = nil }() // borrowed: valid during the callback only
			w.BeginFetch(m.Seq)
			_, err := Write(w, m, items)
			w.EndFetch()
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	w.Flush()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ms)), "ns/msg")
}

func BenchmarkFastItems(b *testing.B) {
	_, ms := benchBox(b, benchMessage, benchMessages)
	benchFetch(b, ms, parseItems(b, "UID FLAGS RFC822.SIZE INTERNALDATE"))
}

func BenchmarkBodyStructure(b *testing.B) {
	_, ms := benchBox(b, func(int) string { return nestedMessage }, 200)
	benchFetch(b, ms, parseItems(b, "BODYSTRUCTURE"))
}

func BenchmarkBody4K(b *testing.B) {
	_, ms := benchBox(b, func(int) string { return message4K }, 200)
	benchFetch(b, ms, parseItems(b, "BODY[]"))
}

func BenchmarkBodyNestedPart(b *testing.B) {
	_, ms := benchBox(b, func(int) string { return nestedMessage }, 200)
	benchFetch(b, ms, parseItems(b, "BODY.PEEK[3.2.MIME] BINARY.PEEK[2.1]"))
}

func BenchmarkHeaderFieldsFromCache(b *testing.B) {
	_, ms := benchBox(b, benchMessage, benchMessages)
	benchFetch(b, ms, parseItems(b, "BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)]"))
}

// BenchmarkEnvelopeRender is this package's share of FETCH ENVELOPE: the
// cache entry already decoded.
func BenchmarkEnvelopeRender(b *testing.B) {
	box, ms := benchBox(b, benchMessage, 100)
	for _, m := range ms {
		c, err := box.view.Cached(m.Record)
		if err != nil {
			b.Fatal(err)
		}
		m.Cached = c
	}
	benchFetch(b, ms, parseItems(b, "ENVELOPE"))
}
