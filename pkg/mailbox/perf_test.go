package mailbox

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestAppendUnnamedLeavesNoTemp checks the unnamed-file path: each
// message lands under its UID with its bytes, the directory holds no temp
// file, and a large batch (named temp files) works the same.
func TestAppendUnnamedLeavesNoTemp(t *testing.T) {
	for _, n := range []int{1, 3, maxUnnamedBatch + 1} {
		m := newMailbox(t, Options{})
		uids := appendN(t, m, n)
		if len(uids) != n {
			t.Fatalf("n=%d: got %d uids", n, len(uids))
		}
		for i, uid := range uids {
			b, err := os.ReadFile(m.MessagePath(uid))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), fmt.Sprintf("body %d\r\n", i)) {
				t.Fatalf("n=%d uid %d: wrong content %q", n, uid, b)
			}
		}
		ents, err := os.ReadDir(m.Dir())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tempPrefix) {
				t.Errorf("n=%d: temp file %s left", n, e.Name())
			}
		}
	}
}

// TestAppendKeepsEarlierViews checks that deriving the next index image
// by appending to the shared records leaves views taken before unchanged,
// and that the published image is what a fresh decode of the file gives.
func TestAppendKeepsEarlierViews(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 2)
	before := mustSnapshot(t, m)
	kept := append([]Record(nil), before.Records...)
	appendN(t, m, 1)
	appendN(t, m, 1)
	after := mustSnapshot(t, m)
	if len(before.Records) != 2 || len(after.Records) != 4 {
		t.Fatalf("views have %d and %d records", len(before.Records), len(after.Records))
	}
	for i := range kept {
		if before.Records[i] != kept[i] {
			t.Fatalf("record %d of the earlier view changed", i)
		}
	}
	if cap(after.Records) != len(after.Records) {
		t.Fatal("a view's records must be capped against the writer's appends")
	}
	decodedIndexes.reset()
	m2, err := Open(m.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	fresh := mustSnapshot(t, m2)
	if len(fresh.Records) != len(after.Records) {
		t.Fatalf("fresh decode has %d records, published image %d", len(fresh.Records), len(after.Records))
	}
	for i := range fresh.Records {
		a, b := fresh.Records[i], after.Records[i]
		if a.UID != b.UID || a.ModSeq != b.ModSeq || a.Flags != b.Flags || !a.InternalDate().Equal(b.InternalDate()) ||
			a.cacheOffset != b.cacheOffset || a.GUID != b.GUID {
			t.Fatalf("record %d: fresh %+v, published %+v", i, a, b)
		}
	}
}

// TestForEachCachedBorrowed checks the borrowing walk yields the same
// entries as the copying one.
func TestForEachCachedBorrowed(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 5)
	v := mustSnapshot(t, m)
	var owned []*Cached
	if err := v.ForEachCached(v.Records, func(_ Record, c *Cached) error {
		owned = append(owned, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	i := 0
	if err := v.ForEachCachedBorrowed(v.Records, func(_ Record, c *Cached) error {
		if c.Envelope.Subject != owned[i].Envelope.Subject || string(c.Headers) != string(owned[i].Headers) {
			t.Errorf("entry %d: borrowed %q, owned %q", i, c.Envelope.Subject, owned[i].Envelope.Subject)
		}
		if cl := c.Clone(); cl.Envelope.Subject != c.Envelope.Subject || cl.Body.Type != c.Body.Type {
			t.Errorf("entry %d: clone differs", i)
		}
		i++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if i != 5 {
		t.Fatalf("walked %d entries", i)
	}
}

func TestForEachEnvelopeBorrowed(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 5)
	v := mustSnapshot(t, m)
	var owned []*Cached
	v.ForEachCached(v.Records, func(_ Record, c *Cached) error {
		owned = append(owned, c)
		return nil
	})
	i := 0
	if err := v.ForEachEnvelopeBorrowed(v.Records, func(_ Record, c *Cached) error {
		if !reflect.DeepEqual(c.Envelope, owned[i].Envelope) {
			t.Errorf("entry %d: envelope %+v, want %+v", i, c.Envelope, owned[i].Envelope)
		}
		if c.Body != nil || c.Headers != nil {
			t.Errorf("entry %d: more than the envelope decoded", i)
		}
		i++
		return nil
	}); err != nil || i != 5 {
		t.Fatalf("walked %d entries: %v", i, err)
	}
}
