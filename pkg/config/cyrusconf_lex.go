package config

import (
	"errors"
	"fmt"
	"strings"
)

type tokKind int

const (
	tokWord   tokKind = iota // a name: a section or an entry
	tokAssign                // key=value
	tokOpen                  // {
	tokClose                 // }
)

type token struct {
	kind  tokKind
	text  string // the word, or the key of an assignment
	value string // the value of an assignment, quotes removed
}

func (t token) String() string {
	switch t.kind {
	case tokOpen:
		return "'{'"
	case tokClose:
		return "'}'"
	case tokAssign:
		return fmt.Sprintf("%q", t.text+"="+t.value)
	}
	return fmt.Sprintf("%q", t.text)
}

// tokenize splits one comment-free cyrus.conf line. A value is a
// double-quoted string without escapes, or a bare word up to a blank.
func tokenize(line string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(line) && isBlankByte(line[i]) {
			i++
		}
		if i == len(line) {
			return toks, nil
		}
		switch line[i] {
		case '{':
			toks = append(toks, token{kind: tokOpen})
			i++
			continue
		case '}':
			toks = append(toks, token{kind: tokClose})
			i++
			continue
		case '"':
			return nil, errors.New(`unexpected '"' (quotes belong after key=)`)
		}
		start := i
		for i < len(line) && !isBlankByte(line[i]) && !strings.ContainsRune(`={}"`, rune(line[i])) {
			i++
		}
		word := line[start:i]
		if i == len(line) || line[i] != '=' {
			if word == "" {
				return nil, fmt.Errorf("unexpected %q", line[i])
			}
			toks = append(toks, token{kind: tokWord, text: word})
			continue
		}
		if word == "" {
			return nil, errors.New("'=' without a key")
		}
		if c, bad := badNameChar(word); bad {
			return nil, fmt.Errorf("bad character %q in key %q", c, word)
		}
		i++ // '='
		val, next, err := readValue(line, i)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", word, err)
		}
		toks = append(toks, token{kind: tokAssign, text: word, value: val})
		i = next
	}
}

// readValue reads the value starting at line[i] and returns it with the
// index after it.
func readValue(line string, i int) (string, int, error) {
	if i < len(line) && line[i] == '"' {
		end := strings.IndexByte(line[i+1:], '"')
		if end < 0 {
			return "", 0, errors.New("unterminated quoted value")
		}
		next := i + 1 + end + 1
		if next < len(line) && !isBlankByte(line[next]) && line[next] != '}' {
			return "", 0, fmt.Errorf("unexpected %q after quoted value", line[next])
		}
		return line[i+1 : i+1+end], next, nil
	}
	start := i
	for i < len(line) && !isBlankByte(line[i]) {
		i++
	}
	return line[start:i], i, nil
}

func isBlankByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}
