package search

import (
	"context"
	"testing"
	"time"
)

// FuzzMatch runs random search programs, as the wire parser accepts them,
// over a small mailbox: no panics, and NOT k is the complement of k.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"ALL", "OR SEEN (1:* BODY x)", "NOT HEADER X-Seq n1", "$ UID 2:*",
		"SENTSINCE 1-Jan-2006 TEXT \"\"", "OR OR FROM fred TO bob NOT SUBJECT msg", "YOUNGER 5 LARGER 1"} {
		f.Add(s)
	}
	cands := newBox(f, []testMsg{{raw: plain(1, "msg one"), flags: []string{`\Seen`}}, {raw: plain(2, "=?utf-8?q?caf=C3=A9?=")},
		{raw: "garbage without header"}})
	env := Env{MaxSeq: 3, MaxUID: cands[2].UID, Saved: []uint32{cands[0].UID}, Now: time.Unix(1e9, 0)}
	f.Fuzz(func(t *testing.T, program string) {
		k, err := tryParseKey(program)
		if err != nil {
			return
		}
		res, err := Match(context.Background(), k, cands, env)
		if err != nil {
			t.Fatalf("%q: %v", program, err)
		}
		neg, err := tryParseKey("NOT (" + program + ")")
		if err != nil {
			return
		}
		inv, err := Match(context.Background(), neg, cands, env)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res {
			if res[i] == inv[i] {
				t.Fatalf("%q: message %d matches both k and NOT k or neither", program, i+1)
			}
		}
	})
}
