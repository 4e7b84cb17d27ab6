package imapserver

import (
	"slices"
	"testing"
)

// RFC 5258 §5 example 9's hierarchy: RECURSIVEMATCH returns a parent with
// CHILDINFO only when one of its subscribed descendants is not listed
// itself, whatever the number of patterns. The multi-pattern answers are
// real Cyrus 3.6.1's (which marks unsubscribed parents \NonExistent; we
// keep their real attributes, as the RFC's example does).
func TestListRecursiveMatchChildInfo(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	for _, m := range []string{"foo2", "foo2/bar1", "foo2/bar2", "baz2", "baz2/bar2", "baz2/bar22",
		"baz2/bar222", "eps2", "eps2/mamba", "qux2/bar2"} {
		a.ok("CREATE " + m)
	}
	for _, m := range []string{"foo2/bar1", "foo2/bar2", "baz2/bar2", "baz2/bar22", "baz2/bar222",
		"eps2", "eps2/mamba", "qux2/bar2"} {
		a.ok("SUBSCRIBE " + m)
	}
	const ci = ` ("CHILDINFO" ("SUBSCRIBED"))`
	var (
		foo2      = `* LIST (\HasChildren) "/" foo2` + ci
		foo2bar1  = `* LIST (\HasNoChildren \Subscribed) "/" foo2/bar1`
		foo2bar2  = `* LIST (\HasNoChildren \Subscribed) "/" foo2/bar2`
		baz2      = `* LIST (\HasChildren) "/" baz2` + ci
		baz2bar2  = `* LIST (\HasNoChildren \Subscribed) "/" baz2/bar2`
		baz2bar22 = `* LIST (\HasNoChildren \Subscribed) "/" baz2/bar22`
		baz2b222  = `* LIST (\HasNoChildren \Subscribed) "/" baz2/bar222`
		eps2      = `* LIST (\HasChildren \Subscribed) "/" eps2` + ci
		qux2      = `* LIST (\NonExistent) "/" qux2` + ci
		qux2bar2  = `* LIST (\HasNoChildren \Subscribed) "/" qux2/bar2`
	)
	for _, tc := range []struct {
		patterns string
		want     []string
	}{
		// baz2's subscribed children all match "*2": no CHILDINFO for it.
		{`"*2"`, []string{foo2, foo2bar2, baz2bar2, baz2bar22, baz2b222, eps2, qux2bar2}},
		{`"%"`, []string{foo2, baz2, eps2, qux2}},
		{`("%" "*2")`, []string{foo2, foo2bar2, baz2bar2, baz2bar22, baz2b222, eps2, qux2bar2}},
		// foo2/bar2 is not matched, so foo2 keeps CHILDINFO.
		{`("foo2" "foo2/bar1")`, []string{foo2, foo2bar1}},
		// Every subscribed child of foo2 is matched by one pattern or
		// another, and foo2 is not subscribed: it is not listed at all.
		{`("foo2" "foo2/bar1" "foo2/bar2")`, []string{foo2bar1, foo2bar2}},
		{`("foo2" "foo2/*")`, []string{foo2bar1, foo2bar2}},
		{`("eps2" "eps2/%")`, []string{`* LIST (\HasChildren \Subscribed) "/" eps2`,
			`* LIST (\HasNoChildren \Subscribed) "/" eps2/mamba`}},
		{`("qux2" "nothing")`, []string{qux2}},
		{`("qux2" "qux2/bar2")`, []string{qux2bar2}},
	} {
		got := a.ok(`LIST (SUBSCRIBED RECURSIVEMATCH) "" ` + tc.patterns)
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("LIST (SUBSCRIBED RECURSIVEMATCH) %s:\n got %q\nwant %q", tc.patterns, got, want)
		}
	}
	// Without RECURSIVEMATCH there is never CHILDINFO.
	for _, l := range a.ok(`LIST (SUBSCRIBED) "" ("%" "*")`) {
		if slices.Contains([]string{foo2, baz2, eps2, qux2}, l) {
			t.Errorf("LIST (SUBSCRIBED) sent %q", l)
		}
	}
}

// A subscription to a mailbox that is gone still makes its parent a
// CHILDINFO answer (LIST (SUBSCRIBED) lists the name, RFC 5258 §3.1).
func TestListRecursiveMatchDeletedSubscription(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	a.ok("CREATE Gone/Box")
	a.ok("SUBSCRIBE Gone/Box")
	a.ok("DELETE Gone/Box")
	got := a.ok(`LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`)
	has(t, got, `* LIST (\NonExistent) "/" Gone ("CHILDINFO" ("SUBSCRIBED"))`)
	got = a.ok(`LIST (SUBSCRIBED RECURSIVEMATCH) "" "*"`)
	if want := []string{`* LIST (\NonExistent \Subscribed) "/" Gone/Box`}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
