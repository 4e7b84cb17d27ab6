package mailbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheRouteAndOldRecords: an address's source route (RFC 5322 §4.4
// obs-route) is kept in the cache, and a record written before payloads
// were marked (cache version 2, without routes, with the old line counts)
// is not decoded as if it were current: the reader rebuilds it from the
// message file.
func TestCacheRouteAndOldRecords(t *testing.T) {
	m := newMailbox(t, Options{})
	msg := "From: <@relay1.example,@relay2.example:joe@target.example>\r\nTo: Joe <@a.example:joe@b.example>\r\n" +
		"Subject: route\r\n\r\nbody\r\n"
	if _, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(msg),
		InternalDate: time.Unix(1700000000, 0)}}); err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		v := mustSnapshot(t, m)
		r := v.Records[0]
		c, err := v.Cached(r)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var walked *Cached
		if err := v.ForEachCached(v.Records, func(_ Record, c *Cached) error { walked = c; return nil }); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, c := range []*Cached{c, walked} {
			if f, to := c.Envelope.From[0], c.Envelope.To[0]; f.Route != "@relay1.example,@relay2.example" ||
				f.Mailbox != "joe" || f.Host != "target.example" || to.Route != "@a.example" || to.Name != "Joe" {
				t.Errorf("%s: From %+v To %+v", what, f, to)
			}
		}
	}
	check("current record")

	// Overwrite the record with one of the same length whose payload
	// does not start with payloadMark, as a version 2 record does not.
	v := mustSnapshot(t, m)
	r := v.Records[0]
	path := filepath.Join(m.dir, cacheFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := data[r.cacheOffset : r.cacheOffset+uint64(r.cacheLen)]
	payload := append([]byte{0x05, 'M', 'o'}, rec[8+len(payloadMark):len(rec)-4]...)
	copy(rec, encodeCacheRecord(r.UID, payload))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeCacheRecord(r.UID, rec); !errors.Is(err, errOldPayload) {
		t.Fatalf("old record decodes with %v, want errOldPayload", err)
	}
	check("old record")
}
