package msgheader

import (
	"bytes"
	"strings"
)

// Field is one header field as written: Name without the white space
// before the colon, Raw the value after the colon, folding kept.
type Field struct {
	Name, Raw string
}

// Value is the field's unfolded, trimmed value (see Unfold).
func (f Field) Value() string { return Unfold(f.Raw) }

// Each calls fn with the name and raw value of every field of a header
// block, in order, until fn returns false. Line ends may be CRLF or LF. A
// line that is neither a field nor a continuation (no colon, an empty or
// invalid name) is skipped together with its continuation lines, and so is
// a continuation line at the start of the block. The slices point into
// block.
func Each(block []byte, fn func(name, raw []byte) bool) {
	for len(block) > 0 {
		end := FieldEnd(block)
		line := block[:end]
		block = block[end:]
		name, raw, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		name = bytes.TrimRight(name, " \t")
		if !ValidName(name) {
			continue
		}
		if !fn(name, raw) {
			return
		}
	}
}

// FieldEnd returns the length of the first field of block, continuation
// lines included.
func FieldEnd(block []byte) int {
	i := 0
	for {
		nl := bytes.IndexByte(block[i:], '\n')
		if nl < 0 {
			return len(block)
		}
		i += nl + 1
		if i >= len(block) || (block[i] != ' ' && block[i] != '\t') {
			return i
		}
	}
}

// ValidName reports whether name is a field name: one or more printable
// US-ASCII characters other than the colon (RFC 5322 §3.6.8).
func ValidName[T string | []byte](name T) bool {
	if len(name) == 0 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// Parse splits a header block into its fields (see Each).
func Parse(block []byte) []Field {
	var out []Field
	Each(block, func(name, raw []byte) bool {
		out = append(out, Field{Name: string(name), Raw: string(raw)})
		return true
	})
	return out
}

// Values returns the unfolded values of every field called name (case
// insensitive), in order.
func Values(block []byte, name string) []string {
	var out []string
	Each(block, func(n, raw []byte) bool {
		if NameIs(n, name) {
			out = append(out, Unfold(string(raw)))
		}
		return true
	})
	return out
}

// Get returns the unfolded value of the first field called name and
// whether there is one.
func Get(block []byte, name string) (string, bool) {
	var v string
	found := false
	Each(block, func(n, raw []byte) bool {
		if NameIs(n, name) {
			v, found = Unfold(string(raw)), true
			return false
		}
		return true
	})
	return v, found
}

// NameIs compares a field name with name, ignoring ASCII case, without
// allocating.
func NameIs(f []byte, name string) bool {
	if len(f) != len(name) {
		return false
	}
	for i := range len(f) {
		a, b := f[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// Unfold returns a raw field value unfolded (RFC 5322 §2.2.3: a line
// break followed by white space is removed, the white space kept) and
// trimmed of white space at both ends. A CR or LF anywhere is removed too,
// so a bare line end cannot reach a reader.
func Unfold(raw string) string {
	// Trimming line ends with the white space first gives the same result
	// (what is left starts and ends with neither) and spares the common
	// one-line field, whose raw value ends in CRLF, a copy.
	raw = strings.Trim(raw, " \t\r\n")
	if !strings.ContainsAny(raw, "\r\n") {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c != '\r' && c != '\n' {
			b.WriteByte(c)
		}
	}
	return strings.Trim(b.String(), " \t")
}

// Text is the unfolded, decoded value of a raw unstructured field (a
// Subject, a Comments): what a person reads.
func Text(raw string) string { return Decode(Unfold(raw)) }

// Header is a parsed header block, for callers that look up several
// fields of the same block.
type Header []Field

// ParseHeader parses a header block (see Each).
func ParseHeader(block []byte) Header { return Header(Parse(block)) }

// Get returns the unfolded value of the first field called name and
// whether there is one.
func (h Header) Get(name string) (string, bool) {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value(), true
		}
	}
	return "", false
}

// Raw returns the raw value of the first field called name, "" if none.
func (h Header) Raw(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Raw
		}
	}
	return ""
}
