package search

import (
	"os"
	"testing"
)

// TestSharedFixture: SEARCH sees pkg/msgheader's shared fixture as Sieve
// and FETCH do (pkg/msgheader/testdata/README): header keys match the
// unfolded, decoded text; the malformed and unknown-charset words are
// matched as written.
func TestSharedFixture(t *testing.T) {
	raw, err := os.ReadFile("../../msgheader/testdata/shared.eml")
	if err != nil {
		t.Fatal(err)
	}
	cands := newBox(t, []testMsg{{raw: string(raw)}})
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{`SUBJECT "grüße aus köln and"`, true},
		{`SUBJECT "=?utf-8?b?!!!bad?= =?x-unknown?q?zed?= text"`, true},
		{`SUBJECT "=?utf-8?q?"`, false},
		{`HEADER SUBJECT "köln and"`, true},
		{`FROM "jörg müller"`, true},
		{`FROM "joerg@example.org"`, true},
		{`TO "bob+lists@example.net"`, true},
		{`TO "friends: alice"`, true}, // the whole field text, group name included
		{`TO "=?x-unknown?q?zed?="`, true},
		{`TEXT "köln"`, true},
	} {
		got := len(matched(t, cands, tc.key, Env{MaxSeq: 1, MaxUID: cands[0].UID})) == 1
		if got != tc.want {
			t.Errorf("SEARCH %s = %v, want %v", tc.key, got, tc.want)
		}
	}
}
