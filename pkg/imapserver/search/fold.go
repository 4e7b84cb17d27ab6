package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// needle is a search string prepared for case-insensitive substring
// matching. Folding maps every rune to the smallest member of its Unicode
// simple case-folding orbit, so ASCII letters fold to upper case and
// σ/ς/Σ or k/K/K (Kelvin) compare equal.
type needle string

func newNeedle(s string) needle { return needle(foldString(s)) }

// in reports whether n occurs in hay, ignoring case.
func (n needle) in(hay string) bool {
	if n == "" {
		return true
	}
	if isASCII(hay) {
		return indexASCIIFold(hay, string(n)) >= 0
	}
	return strings.Contains(foldString(hay), string(n))
}

// inFolded reports whether n occurs in hay, which is already folded.
func (n needle) inFolded(hay string) bool { return strings.Contains(hay, string(n)) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// indexASCIIFold finds folded n in the ASCII string hay without allocating.
func indexASCIIFold(hay, n string) int {
	first := n[0]
	for i := 0; i+len(n) <= len(hay); i++ {
		if upperASCII(hay[i]) != first {
			continue
		}
		j := 1
		for j < len(n) && upperASCII(hay[i+j]) == n[j] {
			j++
		}
		if j == len(n) {
			return i
		}
	}
	return -1
}

// foldString returns s with every rune case-folded (see needle).
func foldString(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(upperASCII(byte(r)))
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}
