package imapserver

import (
	"slices"
	"testing"
)

// LSUB's attributes follow Cyrus (Cassandane's test_lsub_toplevel):
// \HasChildren only for subscribed children, nothing else, and a \Noselect
// placeholder for an unsubscribed parent that "%" stops at.
func TestLsubAttributes(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	a.ok("CREATE asub")
	a.ok("CREATE asub/deeper")
	a.ok("CREATE parent/child")
	a.ok("SUBSCRIBE INBOX")
	a.ok("SUBSCRIBE asub")
	a.ok("SUBSCRIBE parent/child")
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{"*", []string{
			`* LSUB () "/" INBOX`,
			`* LSUB () "/" asub`,
			`* LSUB () "/" parent/child`,
		}},
		{"%", []string{
			`* LSUB () "/" INBOX`,
			`* LSUB () "/" asub`,
			`* LSUB (\Noselect \HasChildren) "/" parent`,
		}},
		{"parent", []string{`* LSUB (\Noselect \HasChildren) "/" parent`}},
	} {
		got := a.ok(`LSUB "" "` + tc.pattern + `"`)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("LSUB %q:\n got %q\nwant %q", tc.pattern, got, tc.want)
		}
	}
	a.ok("SUBSCRIBE asub/deeper")
	has(t, a.ok(`LSUB "" "asub"`), `* LSUB (\HasChildren) "/" asub`)
}
