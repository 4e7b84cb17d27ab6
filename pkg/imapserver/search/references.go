package search

import (
	"slices"
	"time"
)

// container is a node of the REFERENCES algorithm: a message (idx >= 0) or
// a dummy (idx -1) for a referenced message not at hand.
type container struct {
	idx    int
	parent *container
	kids   []*container
}

func (c *container) unlink() {
	if p := c.parent; p != nil {
		p.kids = slices.DeleteFunc(p.kids, func(k *container) bool { return k == c })
		c.parent = nil
	}
}

func (c *container) adopt(k *container) {
	k.unlink()
	k.parent = c
	c.kids = append(c.kids, k)
}

// reaches reports whether d is c or one of c's ancestors.
func (c *container) reaches(d *container) bool {
	for p := c; p != nil; p = p.parent {
		if p == d {
			return true
		}
	}
	return false
}

// references is THREAD=REFERENCES (RFC 5256 §3, steps 1-6).
func references(msgs []threadMsg) []*Thread {
	byID := map[string]*container{}
	var all []*container
	get := func(id string) *container {
		c := byID[id]
		if c == nil {
			c = &container{idx: -1}
			byID[id] = c
			all = append(all, c)
		}
		return c
	}
	// (1) Link messages to their references.
	for i := range msgs {
		m := &msgs[i]
		var self *container
		if c := byID[m.id]; m.id != "" && c != nil && c.idx < 0 {
			self = c
		} else {
			self = &container{}
			if m.id != "" && c == nil {
				byID[m.id] = self
			}
			all = append(all, self)
		}
		self.idx = i
		var prev *container
		for _, ref := range m.refs {
			c := get(ref)
			if prev != nil && c.parent == nil && !prev.reaches(c) {
				prev.adopt(c)
			}
			prev = c
		}
		self.unlink()
		if prev != nil && !prev.reaches(self) {
			prev.adopt(self)
		}
	}
	// (2) The root set.
	var roots []*container
	for _, c := range all {
		if c.parent == nil {
			roots = append(roots, c)
		}
	}
	// (3) Prune dummies.
	roots = prune(roots, nil)
	// (4) Sort the top level by date, a dummy by its first child's.
	date := func(c *container) (time.Time, uint32) {
		if c.idx < 0 {
			c = c.kids[0]
		}
		return msgs[c.idx].date, msgs[c.idx].seq
	}
	cmpDate := func(a, b *container) int {
		da, sa := date(a)
		db, sb := date(b)
		if c := da.Compare(db); c != 0 {
			return c
		}
		return int(int64(sa) - int64(sb))
	}
	for _, r := range roots {
		if r.idx < 0 {
			slices.SortStableFunc(r.kids, cmpDate)
		}
	}
	slices.SortStableFunc(roots, cmpDate)
	// (5) Merge threads with the same base subject.
	roots = mergeBySubject(roots, msgs)
	// (6) Sort every set of siblings by date.
	var sortTree func([]*container)
	sortTree = func(list []*container) {
		for _, c := range list {
			sortTree(c.kids)
		}
		slices.SortStableFunc(list, cmpDate)
	}
	sortTree(roots)
	out := make([]*Thread, len(roots))
	for i, r := range roots {
		out[i] = toThread(r)
	}
	return out
}

// prune removes dummies without children and splices the children of the
// others into their place, except that several children are not promoted
// to the top level (parent nil).
func prune(list []*container, parent *container) []*container {
	var out []*container
	for _, c := range list {
		c.kids = prune(c.kids, c)
		switch {
		case c.idx >= 0:
			out = append(out, c)
		case len(c.kids) == 0:
		case parent != nil || len(c.kids) == 1:
			for _, k := range c.kids {
				k.parent = parent
				out = append(out, k)
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// mergeBySubject is step 5: top-level threads whose base subjects are equal
// are gathered under one parent.
func mergeBySubject(roots []*container, msgs []threadMsg) []*container {
	subject := func(c *container) *threadMsg {
		if c.idx < 0 {
			return &msgs[c.kids[0].idx]
		}
		return &msgs[c.idx]
	}
	table := map[string]*container{}
	for _, r := range roots {
		m := subject(r)
		if m.subject == "" {
			continue
		}
		t := table[m.subject]
		if t == nil || (r.idx < 0 && t.idx >= 0) ||
			(t.idx >= 0 && r.idx >= 0 && subject(t).reply && !m.reply) {
			table[m.subject] = r
		}
	}
	out := slices.Clone(roots)
	pos := map[*container]int{}
	for i, r := range out {
		pos[r] = i
	}
	for _, r := range roots {
		here, top := pos[r]
		m := subject(r)
		t := table[m.subject]
		if !top || m.subject == "" || t == r {
			continue
		}
		switch {
		case r.idx < 0 && t.idx < 0:
			for _, k := range slices.Clone(r.kids) {
				t.adopt(k)
			}
		case t.idx < 0 || (m.reply && !subject(t).reply):
			t.adopt(r)
		default:
			d := &container{idx: -1}
			out[pos[t]] = d
			pos[d] = pos[t]
			delete(pos, t)
			d.adopt(t)
			d.adopt(r)
			table[m.subject] = d
		}
		out[here] = nil
		delete(pos, r)
	}
	return slices.DeleteFunc(out, func(c *container) bool { return c == nil })
}

func toThread(c *container) *Thread {
	t := &Thread{Index: c.idx}
	for _, k := range c.kids {
		t.Children = append(t.Children, toThread(k))
	}
	return t
}
