package sieve

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// expand substitutes "${name}" references (RFC 5229 §3). Unknown
// variables expand to ""; malformed references stay literal; expanded
// text is not re-scanned. The result is bounded by maxVariableSize.
func (st *state) expand(s str) string {
	if !s.vars {
		return s.s
	}
	in := s.s
	var b strings.Builder
	for {
		i := strings.Index(in, "${")
		if i < 0 {
			b.WriteString(in)
			break
		}
		b.WriteString(in[:i])
		rest := in[i+2:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			b.WriteString(in[i:])
			break
		}
		val, ok := st.lookup(rest[:end])
		if !ok {
			b.WriteString("${")
			in = rest
			continue
		}
		b.WriteString(val)
		in = rest[end+1:]
		if b.Len() > maxVariableSize {
			break
		}
	}
	return truncateUTF8(b.String(), maxVariableSize)
}

func (st *state) expandList(l []str) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = st.expand(s)
	}
	return out
}

// lookup resolves a variable reference: a number names a match
// variable, "global.x" a global (RFC 6609), other identifiers a variable
// of the current script (or a global it declared).
func (st *state) lookup(ref string) (string, bool) {
	if ref == "" {
		return "", false
	}
	if ref[0] >= '0' && ref[0] <= '9' {
		n, err := strconv.Atoi(ref)
		if err != nil {
			return "", false
		}
		if n < len(st.scope.match) {
			return st.scope.match[n], true
		}
		return "", true
	}
	name := strings.ToLower(ref)
	if !validVariableName(name) {
		return "", false
	}
	if g, ok := strings.CutPrefix(name, "global."); ok {
		return st.globals[g], true
	}
	if strings.Contains(name, ".") {
		return "", true // unknown namespace: empty
	}
	if st.scope.globalNames[name] {
		return st.globals[name], true
	}
	return st.scope.vars[name], true
}

// validVariableName accepts identifiers optionally qualified by
// namespaces ("global.name").
func validVariableName(name string) bool {
	for _, part := range strings.Split(name, ".") {
		if !isIdentifier(part) {
			return false
		}
	}
	return true
}

func (st *state) setVariable(name, value string) {
	value = truncateUTF8(value, maxVariableSize)
	if g, ok := strings.CutPrefix(name, "global."); ok {
		st.globals[g] = value
		return
	}
	if st.scope.globalNames[name] {
		st.globals[name] = value
		return
	}
	st.scope.vars[name] = value
}

// modifier is a "set" modifier with its RFC 5229 §4.1 precedence.
type modifier struct {
	name       string
	precedence int
}

var setModifiers = map[string]int{
	":lower": 40, ":upper": 40,
	":lowerfirst": 30, ":upperfirst": 30,
	":quotewildcard": 20,
	":encodeurl":     15, // RFC 5435 §6
	":length":        10,
}

// modifierExtensions names the extension a modifier needs beyond variables.
var modifierExtensions = map[string]string{":encodeurl": "enotify"}

func applyModifier(m, v string) string {
	switch m {
	case ":lower":
		return strings.ToLower(v)
	case ":upper":
		return strings.ToUpper(v)
	case ":lowerfirst", ":upperfirst":
		r, n := utf8.DecodeRuneInString(v)
		if n == 0 {
			return v
		}
		if m == ":lowerfirst" {
			r = unicode.ToLower(r)
		} else {
			r = unicode.ToUpper(r)
		}
		return string(r) + v[n:]
	case ":quotewildcard":
		var b strings.Builder
		for _, r := range v {
			if r == '*' || r == '?' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String()
	case ":encodeurl":
		return encodeURL(v)
	case ":length":
		return strconv.Itoa(utf8.RuneCountInString(v))
	}
	return v
}
