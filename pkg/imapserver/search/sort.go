package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// sortFields is what SORT compares for one candidate.
type sortFields struct {
	strs []string // per criterion, i;ascii-casemap folded; "" for non-string keys
}

// Sort orders the candidates by criteria (RFC 5256, RFC 5957) and returns
// their indices in that order; candidates equal on every key keep sequence
// number order.
func Sort(ctx context.Context, criteria []wire.SortCriterion, cands []Candidate) ([]int, error) {
	if len(criteria) == 0 {
		return nil, fmt.Errorf("search: no sort criteria")
	}
	needEnvelope := false
	for _, c := range criteria {
		switch c.Key {
		case "ARRIVAL", "DATE", "SIZE":
		case "CC", "FROM", "TO", "SUBJECT", "DISPLAYFROM", "DISPLAYTO":
			needEnvelope = true
		default:
			return nil, fmt.Errorf("search: unknown sort criterion %q", c.Key)
		}
	}
	fields := make([]sortFields, len(cands))
	if needEnvelope {
		err := eachEnvelope(ctx, cands, func(i int, e *mailbox.Envelope) {
			fields[i].strs = make([]string, len(criteria))
			for j, c := range criteria {
				fields[i].strs[j] = sortString(c.Key, e)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		for j, c := range criteria {
			r := compareOn(c.Key, j, &cands[a], &cands[b], &fields[a], &fields[b])
			if c.Reverse {
				r = -r
			}
			if r != 0 {
				return r
			}
		}
		return cmp.Compare(cands[a].Seq, cands[b].Seq)
	})
	return order, nil
}

func compareOn(key string, j int, a, b *Candidate, fa, fb *sortFields) int {
	switch key {
	case "ARRIVAL":
		return a.Record.InternalDate().Compare(b.Record.InternalDate())
	case "DATE":
		return sentDate(a).Compare(sentDate(b))
	case "SIZE":
		return cmp.Compare(a.Record.Size, b.Record.Size)
	}
	var sa, sb string
	if fa.strs != nil {
		sa = fa.strs[j]
	}
	if fb.strs != nil {
		sb = fb.strs[j]
	}
	return strings.Compare(sa, sb)
}

// sentDate is the Date: header's instant, or the internal date without one
// (RFC 5256 §2.2).
func sentDate(c *Candidate) time.Time {
	if c.Record.SentDate().IsZero() {
		return c.Record.InternalDate()
	}
	return c.Record.SentDate()
}

// sortString is the i;ascii-casemap key of a string sort criterion.
func sortString(key string, e *mailbox.Envelope) string {
	var s string
	switch key {
	case "FROM":
		s = firstMailbox(e.From)
	case "TO":
		s = firstMailbox(e.To)
	case "CC":
		s = firstMailbox(e.Cc)
	case "DISPLAYFROM":
		s = displayName(e.From)
	case "DISPLAYTO":
		s = displayName(e.To)
	case "SUBJECT":
		s = BaseSubject(e.Subject)
	}
	return asciiUpper(s)
}

func firstMailbox(as []mailbox.Address) string {
	if len(as) == 0 {
		return ""
	}
	return as[0].Mailbox
}

// displayName is RFC 5957's sort string: the first address's display name,
// or its addr-spec when it has none.
func displayName(as []mailbox.Address) string {
	if len(as) == 0 {
		return ""
	}
	if as[0].Name != "" {
		return as[0].Name
	}
	if as[0].Host == "" {
		return as[0].Mailbox
	}
	return as[0].Mailbox + "@" + as[0].Host
}

func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = upperASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}

// eachEnvelope calls fn with the cached envelope of every candidate whose
// cache entry is readable; it stops when ctx ends (the session's).
func eachEnvelope(ctx context.Context, cands []Candidate, fn func(i int, e *mailbox.Envelope)) error {
	return eachCached(ctx, cands, func(i int, c *mailbox.Cached) { fn(i, &c.Envelope) })
}
