package acl

import (
	"errors"
	"fmt"
	"strings"
)

// Entry is one identifier and its rights. A negative entry's ID starts with '-'.
type Entry struct {
	ID     string
	Rights Rights
}

// ACL is a mailbox's access control list. Methods never modify the receiver.
type ACL []Entry

// ErrInvalidACL is wrapped by errors about malformed ACL text or identifiers.
var ErrInvalidACL = errors.New("invalid ACL")

// ValidateID checks an identifier: not empty (nor just "-"), and free of tab,
// newline, NUL and other control characters, which would break the text form.
func ValidateID(id string) error {
	if id == "" || id == "-" {
		return fmt.Errorf("%w: empty identifier", ErrInvalidACL)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: control character in identifier %q", ErrInvalidACL, id)
		}
	}
	return nil
}

// Parse reads Cyrus's mailboxes.db text "id\trights\tid\trights\t" (the
// trailing tab is optional). Rights are read with deleteright 'c'; a
// repeated identifier is an error.
func Parse(s string) (ACL, error) {
	s = strings.TrimSuffix(s, "\t")
	if s == "" {
		return ACL{}, nil
	}
	fields := strings.Split(s, "\t")
	if len(fields)%2 != 0 {
		return nil, fmt.Errorf("%w: identifier %q has no rights", ErrInvalidACL, fields[len(fields)-1])
	}
	return fromPairs(fields)
}

// ParseDefaultACL reads the defaultacl option: whitespace-separated
// identifier and rights pairs, e.g. "anyone lrs".
func ParseDefaultACL(s string) (ACL, error) {
	fields := strings.Fields(s)
	if len(fields)%2 != 0 {
		return nil, fmt.Errorf("%w: identifier %q has no rights", ErrInvalidACL, fields[len(fields)-1])
	}
	return fromPairs(fields)
}

func fromPairs(fields []string) (ACL, error) {
	a := make(ACL, 0, len(fields)/2)
	seen := make(map[string]bool, len(fields)/2)
	for i := 0; i < len(fields); i += 2 {
		id := fields[i]
		if err := ValidateID(id); err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: identifier %q given twice", ErrInvalidACL, id)
		}
		seen[id] = true
		r, err := ParseRights(fields[i+1], DefaultDeleteRight)
		if err != nil {
			return nil, fmt.Errorf("%w: rights of %q: %w", ErrInvalidACL, id, err)
		}
		a = append(a, Entry{ID: id, Rights: r})
	}
	return a, nil
}

// String writes the mailboxes.db text form, one "id\trights\t" per entry.
func (a ACL) String() string {
	var b strings.Builder
	for _, e := range a {
		b.WriteString(e.ID)
		b.WriteByte('\t')
		b.WriteString(e.Rights.String())
		b.WriteByte('\t')
	}
	return b.String()
}

// Get returns the rights of the entry for id exactly as listed.
func (a ACL) Get(id string) (Rights, bool) {
	for _, e := range a {
		if e.ID == id {
			return e.Rights, true
		}
	}
	return 0, false
}

// Clone returns a copy that shares nothing with a.
func (a ACL) Clone() ACL {
	if a == nil {
		return nil
	}
	return append(ACL(make([]Entry, 0, len(a))), a...)
}

// Apply performs one SETACL or DELETEACL: spec "+rights" adds to id's entry,
// "-rights" removes from it, other rights replace it, and "" deletes it.
// An entry left with no rights is removed; a new entry goes last.
func (a ACL) Apply(id, spec string, deleteRight byte) (ACL, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	mode := byte('=')
	if spec != "" && (spec[0] == '+' || spec[0] == '-') {
		mode, spec = spec[0], spec[1:]
	}
	r, err := ParseRights(spec, deleteRight)
	if err != nil {
		return nil, err
	}
	old, _ := a.Get(id)
	switch mode {
	case '+':
		r = old | r
	case '-':
		r = old &^ r
	}
	out := make(ACL, 0, len(a)+1)
	placed := false
	for _, e := range a {
		if e.ID != id {
			out = append(out, e)
			continue
		}
		placed = true
		if r != 0 {
			out = append(out, Entry{ID: id, Rights: r})
		}
	}
	if !placed && r != 0 {
		out = append(out, Entry{ID: id, Rights: r})
	}
	return out, nil
}

// Remove returns a without id's entry (DELETEACL).
func (a ACL) Remove(id string) ACL {
	out := make(ACL, 0, len(a))
	for _, e := range a {
		if e.ID != id {
			out = append(out, e)
		}
	}
	return out
}
