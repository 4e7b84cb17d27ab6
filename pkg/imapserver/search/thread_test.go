package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gocyrus/pkg/imapserver/wire"
)

func threadMail(id, refs, subject string, day int, from string) testMsg {
	h := []string{"From: " + from, "Subject: " + subject,
		fmt.Sprintf("Date: %d Jan 2020 10:00:00 +0000", day), "Message-ID: <" + id + ">"}
	if refs != "" {
		h = append(h, "References: "+refs)
	}
	return testMsg{raw: mkmail("text\r\n", h...)}
}

func threadBox(t *testing.T) []Candidate {
	return newBox(t, []testMsg{
		threadMail("a", "", "x", 2, "zed <z@x>"),
		threadMail("b", "<a>", "Re: x", 3, "Amy <amy@x>"),
		threadMail("c", "<a> <missing>", "Re: x", 4, "bob@x"),
		threadMail("d", "<gone1>", "other", 5, "carl@x"),
		threadMail("e", "<gone1>", "Re: other", 6, "dan@x"),
		threadMail("f", "", "Re: x", 7, "eve@x"),
		threadMail("g", "", "unrelated", 1, "fay@x"),
	})
}

// render prints threads in the IMAP THREAD response form, with 0-based
// indices and "-" for dummies.
func render(ts []*Thread) string {
	var b strings.Builder
	var node func(t *Thread)
	node = func(t *Thread) {
		if t.Index < 0 {
			b.WriteString("-")
		} else {
			fmt.Fprint(&b, t.Index)
		}
		switch len(t.Children) {
		case 0:
		case 1:
			b.WriteString(" ")
			node(t.Children[0])
		default:
			for _, c := range t.Children {
				b.WriteString(" (")
				node(c)
				b.WriteString(")")
			}
		}
	}
	for _, t := range ts {
		b.WriteString("(")
		node(t)
		b.WriteString(")")
	}
	return b.String()
}

func TestThread(t *testing.T) {
	cands := threadBox(t)
	for alg, want := range map[string]string{
		"REFERENCES":     "(6)(0 (1) (2) (5))(- (3) (4))",
		"ORDEREDSUBJECT": "(6)(0 (1) (2) (5))(3 4)",
	} {
		ts, err := Threads(context.Background(), alg, cands)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(ts); got != want {
			t.Errorf("%s: got %s, want %s", alg, got, want)
		}
	}
	if _, err := Threads(context.Background(), "FOO", cands); err == nil {
		t.Error("unknown algorithm accepted")
	}
}

func TestThreadLoopsAndDuplicates(t *testing.T) {
	cands := newBox(t, []testMsg{
		threadMail("a", "<b>", "one", 1, "x@y"),
		threadMail("b", "<a>", "two", 2, "x@y"),
		threadMail("a", "", "three", 3, "x@y"),
	})
	ts, err := Threads(context.Background(), "REFERENCES", cands)
	if err != nil {
		t.Fatal(err)
	}
	if got := render(ts); got != "(1 0)(2)" {
		t.Errorf("got %s", got)
	}
}

func TestSort(t *testing.T) {
	cands := threadBox(t)
	for _, tc := range []struct {
		crit string
		want []int
	}{
		{"SUBJECT", []int{3, 4, 6, 0, 1, 2, 5}},
		{"REVERSE SUBJECT", []int{0, 1, 2, 5, 6, 3, 4}},
		{"DATE", []int{6, 0, 1, 2, 3, 4, 5}},
		{"REVERSE DATE", []int{5, 4, 3, 2, 1, 0, 6}},
		{"FROM", []int{1, 2, 3, 4, 5, 6, 0}},
		{"DISPLAYFROM", []int{1, 2, 3, 4, 5, 6, 0}},
		{"ARRIVAL", []int{0, 1, 2, 3, 4, 5, 6}},
		{"TO", []int{0, 1, 2, 3, 4, 5, 6}},
		{"SUBJECT REVERSE DATE", []int{4, 3, 6, 5, 2, 1, 0}},
	} {
		var crit []wire.SortCriterion
		f := strings.Fields(tc.crit)
		for i := 0; i < len(f); i++ {
			c := wire.SortCriterion{Key: f[i]}
			if f[i] == "REVERSE" {
				i++
				c = wire.SortCriterion{Key: f[i], Reverse: true}
			}
			crit = append(crit, c)
		}
		got, err := Sort(context.Background(), crit, cands)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.crit, got, tc.want)
		}
	}
	if _, err := Sort(context.Background(), []wire.SortCriterion{{Key: "NOPE"}}, cands); err == nil {
		t.Error("unknown criterion accepted")
	}
}

// SORT and THREAD read the cache under the session's context: a session
// that ends (logout, shutdown, lost client) stops them.
func TestSortAndThreadStopWithTheSession(t *testing.T) {
	cands := threadBox(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Sort(ctx, []wire.SortCriterion{{Key: "SUBJECT"}}, cands); !errors.Is(err, context.Canceled) {
		t.Errorf("SORT after the session ended: %v", err)
	}
	if _, err := Threads(ctx, "REFERENCES", cands); !errors.Is(err, context.Canceled) {
		t.Errorf("THREAD after the session ended: %v", err)
	}
}
