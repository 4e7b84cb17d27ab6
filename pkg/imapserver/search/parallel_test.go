package search

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"gocyrus/internal/testseed"
)

// TestMatchParallel checks that the cache pass split among workers answers
// exactly as the sequential one, in candidate order, for programs that
// decode only the envelope, the whole entry, or go on to the file.
func TestMatchParallel(t *testing.T) {
	r := testseed.Rand(t)
	words := []string{"alpha", "beta", "gamma", "delta", "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?="}
	msgs := make([]testMsg, 300)
	for i := range msgs {
		subj := words[r.IntN(len(words))] + " " + words[r.IntN(len(words))]
		raw := mkmail(fmt.Sprintf("body %s %d\r\n", words[r.IntN(4)], i),
			"From: Fred <fred@example.com>", "Subject: "+subj,
			fmt.Sprintf("Date: Mon, %d Jan 2006 15:04:05 -0700", 1+r.IntN(28)),
			fmt.Sprintf("X-Token: tok%d", r.IntN(7)))
		var flags []string
		if r.IntN(2) == 0 {
			flags = []string{`\Seen`}
		}
		msgs[i] = testMsg{raw: raw, flags: flags}
	}
	cands := newBox(t, msgs)
	programs := []string{
		`SUBJECT alpha`, `SUBJECT "grüße"`, `SENTSINCE 10-Jan-2006`, `SUBJECT gamma SEEN`,
		`HEADER X-Token tok3`, `HEADER X-Token ""`, `OR SUBJECT beta HEADER X-Token tok1`,
		`TEXT delta`, `SUBJECT alpha BODY beta`, `NOT SUBJECT alpha`,
	}
	old := parallelMin
	t.Cleanup(func() { parallelMin = old })
	for _, p := range programs {
		k := parseKey(t, p)
		parallelMin = len(cands) + 1
		want, err := Match(context.Background(), k, cands, Env{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		parallelMin = 7
		got, err := Match(context.Background(), k, cands, Env{})
		if err != nil {
			t.Fatalf("%s (parallel): %v", p, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: parallel answer differs from the sequential one", p)
		}
		if !slices.Contains(want, true) {
			t.Errorf("%s: matches nothing, the comparison proves little", p)
		}
	}
}
