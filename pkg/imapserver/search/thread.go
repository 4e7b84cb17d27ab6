package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/msgheader"
)

// Thread is one node of a THREAD response: a message (Index into the
// candidates) or, with Index -1, a dummy parent standing for a message
// that is referenced but not among the candidates.
type Thread struct {
	Index    int
	Children []*Thread
}

// threadMsg is what threading needs of one candidate.
type threadMsg struct {
	seq     uint32
	date    time.Time
	subject string // base subject, i;ascii-casemap folded
	reply   bool   // base subject extraction removed a reply/forward marker
	id      string
	refs    []string
}

// Threads groups the candidates into threads with algorithm ORDEREDSUBJECT
// or REFERENCES (RFC 5256 §3). (The seam named it Thread, like the node
// type; Go allows only one of the two.)
func Threads(ctx context.Context, algorithm string, cands []Candidate) ([]*Thread, error) {
	var build func([]threadMsg) []*Thread
	switch strings.ToUpper(algorithm) {
	case "ORDEREDSUBJECT":
		build = orderedSubject
	case "REFERENCES":
		build = references
	default:
		return nil, fmt.Errorf("search: unknown threading algorithm %q", algorithm)
	}
	msgs := make([]threadMsg, len(cands))
	for i := range cands {
		msgs[i] = threadMsg{seq: cands[i].Seq, date: sentDate(&cands[i])}
	}
	err := eachCached(ctx, cands, func(i int, c *mailbox.Cached) {
		m := &msgs[i]
		base, reply := baseSubject(c.Envelope.Subject)
		m.subject, m.reply = asciiUpper(base), reply
		if ids := msgIDs(c.Envelope.MessageID); len(ids) > 0 {
			m.id = ids[0]
		}
		for _, v := range msgheader.Values(c.Headers, "References") {
			m.refs = append(m.refs, msgIDs(v)...)
		}
		if len(m.refs) == 0 {
			if ids := msgIDs(c.Envelope.InReplyTo); len(ids) > 0 {
				m.refs = ids[:1]
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return build(msgs), nil
}

// msgIDs returns the "<...>" message identifiers in s, in order.
func msgIDs(s string) []string {
	var ids []string
	for {
		start := strings.IndexByte(s, '<')
		if start < 0 {
			return ids
		}
		end := strings.IndexByte(s[start:], '>')
		if end < 0 {
			return ids
		}
		if id := strings.TrimSpace(s[start+1 : start+end]); id != "" {
			ids = append(ids, id)
		}
		s = s[start+end+1:]
	}
}

// byDate orders message indices by sent date, then sequence number.
func byDate(msgs []threadMsg) func(a, b int) int {
	return func(a, b int) int {
		if c := msgs[a].date.Compare(msgs[b].date); c != 0 {
			return c
		}
		return cmp.Compare(msgs[a].seq, msgs[b].seq)
	}
}

// orderedSubject: messages sorted by base subject then date; each subject
// is a thread whose first message is the parent of all the others; threads
// ordered by the date of their first message.
func orderedSubject(msgs []threadMsg) []*Thread {
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	date := byDate(msgs)
	slices.SortFunc(order, func(a, b int) int {
		if c := strings.Compare(msgs[a].subject, msgs[b].subject); c != 0 {
			return c
		}
		return date(a, b)
	})
	var threads []*Thread
	for i := 0; i < len(order); {
		root := &Thread{Index: order[i]}
		j := i + 1
		for ; j < len(order) && msgs[order[j]].subject == msgs[order[i]].subject; j++ {
			root.Children = append(root.Children, &Thread{Index: order[j]})
		}
		threads = append(threads, root)
		i = j
	}
	slices.SortStableFunc(threads, func(a, b *Thread) int { return date(a.Index, b.Index) })
	return threads
}

// eachCached calls fn with the cache entry of every candidate whose entry
// is readable.
func eachCached(ctx context.Context, cands []Candidate, fn func(i int, c *mailbox.Cached)) error {
	msgs := make([]*message, len(cands))
	for i := range cands {
		msgs[i] = &message{c: &cands[i], i: i}
	}
	return withCached(ctx, msgs, cacheOwned, func(m *message) {
		fn(m.i, m.cached)
		m.cached = nil
	})
}
