package mailbox

import (
	"testing"
	"time"
)

func seedIndex() []byte {
	h := indexHeader{UIDValidity: 1, UIDNext: 3, NumRecords: 2, Exists: 2, HighestModSeq: 2, QuotaUsed: 30, CacheLen: 16}
	b := encodeIndexHeader(&h)
	for i := uint32(1); i <= 2; i++ {
		var rb [indexRecordSize]byte
		r := Record{UID: i, ModSeq: uint64(i), Size: 15}
		r.SetInternalDate(time.Unix(1e9, 0))
		encodeRecord(rb[:], &r)
		b = append(b, rb[:]...)
	}
	return b
}

func FuzzIndexReader(f *testing.F) {
	f.Add(seedIndex())
	f.Add([]byte(indexMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, recs, err := decodeIndex(data)
		if err == nil && len(recs) != int(h.NumRecords) {
			t.Fatalf("decoded %d records, header says %d", len(recs), h.NumRecords)
		}
		salvageRecords(data)
	})
}

func FuzzCacheReader(f *testing.F) {
	p := parseMessage([]byte("From: a@b\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nhi\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nbody\r\n--x--\r\n"))
	f.Add(encodeCacheRecord(7, encodeCached(&p.cached)))
	f.Add([]byte{7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	arena := new(cachedArena) // reused, as ForEachCachedBorrowed does
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeCacheRecord(7, data)
		if len(data) == 0 {
			return
		}
		owned, err := decodeCached(data)
		borrowed, berr := decodeCachedInto(data, arena)
		if (err == nil) != (berr == nil) {
			t.Fatalf("owned and borrowed decodes disagree: %v, %v", err, berr)
		}
		if err == nil && string(encodeCached(owned)) != string(encodeCached(borrowed)) {
			t.Fatal("owned and borrowed decodes differ")
		}
	})
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("Subject: x\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\na\r\n--b--\r\n"))
	f.Add([]byte("\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := parseMessage(data)
		c, err := decodeCached(encodeCached(&p.cached))
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if c.Envelope.Subject != p.cached.Envelope.Subject {
			t.Fatal("round trip changed the subject")
		}
	})
}
