package cyrusindex

import (
	"fmt"
	"strconv"
)

// DList is one dlist value: an atom (Atom, Nil for NIL), a list (IsList,
// Items) or a key-value list (IsKV, Keys and Items in step).
type DList struct {
	Atom   string
	Nil    bool
	IsList bool
	IsKV   bool
	Keys   []string
	Items  []DList
}

// Get returns the value of key in a key-value list.
func (d DList) Get(key string) (DList, bool) {
	for i, k := range d.Keys {
		if k == key {
			return d.Items[i], true
		}
	}
	return DList{}, false
}

// Str returns the atom at key ("" when absent or not an atom).
func (d DList) Str(key string) string {
	v, _ := d.Get(key)
	return v.Atom
}

// maxDListDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDListDepth = 64

// ParseDList parses one dlist value from the start of s and returns it
// with the rest of s.
func ParseDList(s []byte) (DList, []byte, error) {
	p := &dlistParser{s: s}
	v, err := p.value(0)
	if err != nil {
		return DList{}, nil, fmt.Errorf("%w: dlist at byte %d: %w", ErrCorrupt, p.pos, err)
	}
	return v, s[p.pos:], nil
}

type dlistParser struct {
	s   []byte
	pos int
}

func (p *dlistParser) skipSpace() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *dlistParser) value(depth int) (DList, error) {
	if depth > maxDListDepth {
		return DList{}, fmt.Errorf("nested deeper than %d", maxDListDepth)
	}
	p.skipSpace()
	if p.pos >= len(p.s) {
		return DList{}, fmt.Errorf("unexpected end")
	}
	switch c := p.s[p.pos]; {
	case c == '%' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '(':
		p.pos += 2
		v := DList{IsKV: true}
		for {
			p.skipSpace()
			if p.pos < len(p.s) && p.s[p.pos] == ')' {
				p.pos++
				return v, nil
			}
			k, err := p.value(depth + 1)
			if err != nil {
				return DList{}, err
			}
			if k.IsList || k.IsKV {
				return DList{}, fmt.Errorf("key is not an atom")
			}
			item, err := p.value(depth + 1)
			if err != nil {
				return DList{}, err
			}
			v.Keys = append(v.Keys, k.Atom)
			v.Items = append(v.Items, item)
		}
	case c == '(':
		p.pos++
		v := DList{IsList: true}
		for {
			p.skipSpace()
			if p.pos < len(p.s) && p.s[p.pos] == ')' {
				p.pos++
				return v, nil
			}
			item, err := p.value(depth + 1)
			if err != nil {
				return DList{}, err
			}
			v.Items = append(v.Items, item)
		}
	case c == '"':
		p.pos++
		var out []byte
		for p.pos < len(p.s) {
			c := p.s[p.pos]
			p.pos++
			switch c {
			case '"':
				return DList{Atom: string(out)}, nil
			case '\\':
				if p.pos >= len(p.s) {
					return DList{}, fmt.Errorf("unterminated string")
				}
				c = p.s[p.pos]
				p.pos++
			}
			out = append(out, c)
		}
		return DList{}, fmt.Errorf("unterminated string")
	case c == '{':
		end := p.pos + 1
		for end < len(p.s) && p.s[end] >= '0' && p.s[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(string(p.s[p.pos+1 : end]))
		if err != nil || n < 0 {
			return DList{}, fmt.Errorf("bad literal length")
		}
		if end < len(p.s) && p.s[end] == '+' {
			end++
		}
		if end+3 > len(p.s) || string(p.s[end:end+3]) != "}\r\n" || n > len(p.s)-end-3 {
			return DList{}, fmt.Errorf("bad or truncated literal")
		}
		p.pos = end + 3 + n
		return DList{Atom: string(p.s[end+3 : p.pos])}, nil
	default:
		start := p.pos
		for p.pos < len(p.s) {
			c := p.s[p.pos]
			if c == ' ' || c == '(' || c == ')' || c == '\r' || c == '\n' || c == '"' {
				break
			}
			p.pos++
		}
		if p.pos == start {
			return DList{}, fmt.Errorf("unexpected %q", c)
		}
		a := string(p.s[start:p.pos])
		return DList{Atom: a, Nil: a == "NIL"}, nil
	}
}
