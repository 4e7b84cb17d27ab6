package sieve

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/msgheader"
)

// decodeEncodedCharacters expands RFC 5228 §2.4.2.4 encoded characters:
// "${hex:41 42}" and "${unicode:263a}". Malformed sequences stay as they
// are, as the RFC requires; a well-formed unicode sequence naming an
// invalid code point is an error.
func decodeEncodedCharacters(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		rest := s[i+2:]
		end := strings.IndexByte(rest, '}')
		colon := strings.IndexByte(rest, ':')
		if end < 0 || colon < 0 || colon > end {
			b.WriteString("${")
			s = rest
			continue
		}
		kind := strings.ToLower(rest[:colon])
		body := rest[colon+1 : end]
		var out string
		var ok bool
		var err error
		switch kind {
		case "hex":
			out, ok = decodeHexChars(body)
		case "unicode":
			out, ok, err = decodeUnicodeChars(body)
			if err != nil {
				return "", err
			}
		}
		if !ok {
			b.WriteString("${")
			s = rest
			continue
		}
		b.WriteString(out)
		s = rest[end+1:]
	}
}

func fieldsSpace(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' })
}

func decodeHexChars(body string) (string, bool) {
	var b []byte
	for _, f := range fieldsSpace(body) {
		if len(f)%2 == 1 {
			f = "0" + f
		}
		v, err := hex.DecodeString(f)
		if err != nil {
			return "", false
		}
		b = append(b, v...)
	}
	return string(b), true
}

func decodeUnicodeChars(body string) (string, bool, error) {
	var b strings.Builder
	for _, f := range fieldsSpace(body) {
		if len(f) > 8 {
			return "", false, nil
		}
		v, err := strconv.ParseUint(f, 16, 32)
		if err != nil {
			return "", false, nil
		}
		r := rune(v)
		if !utf8.ValidRune(r) {
			return "", false, errInvalidUnicode
		}
		b.WriteRune(r)
	}
	return b.String(), true, nil
}

var errInvalidUnicode = errors.New("invalid unicode code point in encoded character")

// isIdentifier reports whether s is an RFC 5228 identifier.
func isIdentifier(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

// validFieldName reports whether s is an RFC 5322 field name: the one
// rule for scripts and for the header they examine.
func validFieldName(s string) bool { return msgheader.ValidName(s) }

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
