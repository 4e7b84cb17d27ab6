package cyradm

import (
	"fmt"
	"strings"
)

// Redirect is one output or input redirection of a command.
type Redirect struct {
	FD     int    // the descriptor redirected: 0, 1 or 2
	Op     string // ">", ">>", "<", or with "&" appended: a descriptor copy
	Target string // a file name; with "&": a descriptor number or "-"
}

// Command is one command of a line: its words and redirections, and the
// source text (run by /bin/sh when the command is not a builtin).
type Command struct {
	Args   []string
	Redirs []Redirect
	Text   string
}

type tokenKind int

const (
	tokWord tokenKind = iota
	tokOp
)

type token struct {
	kind     tokenKind
	text     string
	adjacent bool // no white space before it
	quoted   bool // some part of the word was quoted or escaped
	start    int
	end      int
}

// SyntaxError is a line the parser cannot make sense of.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return "syntax error: " + e.Msg }

// ParseLine splits a command line into commands at unquoted ';', with sh
// quoting, $VAR expansion through getenv and redirections.
func ParseLine(line string, getenv func(string) string) ([]Command, error) {
	toks, err := lex(line, getenv)
	if err != nil {
		return nil, err
	}
	var cmds []Command
	cur := Command{}
	start := -1
	pending := "" // a redirection operator waiting for its target
	pendingFD := -1
	finish := func(end int) {
		if len(cur.Args) > 0 || len(cur.Redirs) > 0 {
			if start >= 0 {
				cur.Text = strings.TrimSpace(line[start:end])
			}
			cmds = append(cmds, cur)
		}
		cur, start = Command{}, -1
	}
	for i, t := range toks {
		if start < 0 && !(t.kind == tokOp && t.text == ";") {
			start = t.start
		}
		if t.kind == tokWord {
			if pending == "" {
				cur.Args = append(cur.Args, t.text)
				continue
			}
			r := Redirect{FD: pendingFD, Op: pending, Target: t.text}
			if r.FD < 0 {
				r.FD = 1
				if strings.HasPrefix(pending, "<") {
					r.FD = 0
				}
			}
			if strings.HasSuffix(pending, "&") && t.text != "-" && !isDigits(t.text) {
				return nil, &SyntaxError{Msg: fmt.Sprintf("invalid file descriptor `%s'", t.text)}
			}
			cur.Redirs = append(cur.Redirs, r)
			pending, pendingFD = "", -1
			continue
		}
		switch t.text {
		case ";":
			if pending != "" {
				return nil, &SyntaxError{Msg: "missing redirection target"}
			}
			finish(t.start)
		case "&":
			if (pending != ">" && pending != ">>" && pending != "<") || !t.adjacent {
				return nil, &SyntaxError{Msg: "cannot deal with `&' here"}
			}
			pending += "&"
		case ">", "<":
			switch {
			case pending == "":
				pending = t.text
				// "2>file": a number right before the operator names the descriptor.
				if i > 0 && t.adjacent && toks[i-1].kind == tokWord && !toks[i-1].quoted && isDigits(toks[i-1].text) && len(cur.Args) > 0 {
					fd := int(toks[i-1].text[0] - '0')
					if len(toks[i-1].text) > 1 || fd > 2 {
						return nil, &SyntaxError{Msg: fmt.Sprintf("file descriptor `%s' not supported", toks[i-1].text)}
					}
					pendingFD = fd
					cur.Args = cur.Args[:len(cur.Args)-1]
				}
			case pending == ">" && t.text == ">" && t.adjacent:
				pending = ">>"
			default:
				return nil, &SyntaxError{Msg: fmt.Sprintf("cannot deal with `%s' here", t.text)}
			}
		}
	}
	if pending != "" {
		return nil, &SyntaxError{Msg: "missing redirection target"}
	}
	finish(len(line))
	return cmds, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func isOp(b byte) bool { return b == ';' || b == '&' || b == '<' || b == '>' }

func lex(line string, getenv func(string) string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(line) {
		space := false
		for i < len(line) && isSpace(line[i]) {
			i++
			space = true
		}
		if i >= len(line) {
			break
		}
		adjacent := !space && len(toks) > 0
		if isOp(line[i]) {
			toks = append(toks, token{kind: tokOp, text: line[i : i+1], adjacent: adjacent, start: i, end: i + 1})
			i++
			continue
		}
		t := token{kind: tokWord, adjacent: adjacent, start: i}
		var sb strings.Builder
		for i < len(line) && !isSpace(line[i]) && !isOp(line[i]) {
			switch c := line[i]; c {
			case '\'':
				end := strings.IndexByte(line[i+1:], '\'')
				if end < 0 {
					return nil, &SyntaxError{Msg: "unterminated quote"}
				}
				sb.WriteString(line[i+1 : i+1+end])
				i += end + 2
				t.quoted = true
			case '"':
				n, err := doubleQuoted(line[i+1:], &sb, getenv)
				if err != nil {
					return nil, err
				}
				i += n + 1
				t.quoted = true
			case '\\':
				if i+1 < len(line) {
					sb.WriteByte(line[i+1])
				}
				i += 2
				t.quoted = true
			case '$':
				i += 1 + expandVar(line[i+1:], &sb, getenv)
			default:
				sb.WriteByte(c)
				i++
			}
		}
		t.text, t.end = sb.String(), min(i, len(line))
		toks = append(toks, t)
	}
	return toks, nil
}

// doubleQuoted copies the body of a "..." string into sb and returns how
// many bytes of s it used, closing quote included.
func doubleQuoted(s string, sb *strings.Builder, getenv func(string) string) (int, error) {
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '"':
			return i + 1, nil
		case '\\':
			if i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
				sb.WriteByte(s[i+1])
				i += 2
				continue
			}
			sb.WriteByte(c)
			i++
		case '$':
			i += 1 + expandVar(s[i+1:], sb, getenv)
		default:
			sb.WriteByte(c)
			i++
		}
	}
	return 0, &SyntaxError{Msg: "unterminated quote"}
}

// expandVar expands $NAME or ${NAME} (s starts after the '$') and returns
// the bytes used; a '$' not followed by a name stays literal.
func expandVar(s string, sb *strings.Builder, getenv func(string) string) int {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end > 1 && isName(s[1:end]) {
			sb.WriteString(lookupEnv(getenv, s[1:end]))
			return end + 1
		}
		sb.WriteByte('$')
		return 0
	}
	n := 0
	for n < len(s) && isNameByte(s[n]) {
		n++
	}
	if n == 0 {
		sb.WriteByte('$')
		return 0
	}
	sb.WriteString(lookupEnv(getenv, s[:n]))
	return n
}

func lookupEnv(getenv func(string) string, name string) string {
	if getenv == nil {
		return ""
	}
	return getenv(name)
}

func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return s != ""
}

func isNameByte(b byte) bool {
	return b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}
