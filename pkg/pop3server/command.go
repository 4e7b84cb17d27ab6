package pop3server

import (
	"errors"
	"strconv"
	"strings"
)

// command is one parsed command line.
type command struct {
	Verb string   // upper-cased keyword
	Args []string // space-separated arguments, as sent
	Rest string   // everything after the keyword and one space (PASS)
}

// Errors of parseCommand and parseNumber; their text is what the client
// is told.
var (
	errEmptyCommand = errors.New("Null command")
	errBadCommand   = errors.New("Unrecognized command")
	errBadNumber    = errors.New("Invalid message number")
	errNUL          = errors.New("Null characters not permitted")
)

// maxArgs bounds the arguments kept from one line; no command takes more
// than two (AUTH mechanism initial-response, TOP msg n, APOP name digest).
const maxArgs = 3

// parseCommand splits a command line (without its line end) into an
// upper-cased keyword and its arguments. Keywords are 3–4 ASCII letters
// (RFC 1939 §3); arguments are separated by single or repeated spaces.
// A NUL anywhere refuses the line: no name, password or number holds one,
// and C peers would read the text cut short at it.
func parseCommand(line string) (command, error) {
	if strings.IndexByte(line, 0) >= 0 {
		return command{}, errNUL
	}
	if strings.TrimRight(line, " ") == "" {
		return command{}, errEmptyCommand
	}
	verb, raw, _ := strings.Cut(line, " ")
	rest := strings.TrimRight(raw, " ")
	if len(verb) < 3 || len(verb) > 4 {
		return command{}, errBadCommand
	}
	for i := 0; i < len(verb); i++ {
		c := verb[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return command{}, errBadCommand
		}
	}
	cmd := command{Verb: strings.ToUpper(verb), Rest: raw}
	for _, f := range strings.Split(rest, " ") {
		if f == "" {
			continue
		}
		if len(cmd.Args) == maxArgs {
			cmd.Args = append(cmd.Args, f) // one extra is enough to say "too many"
			break
		}
		cmd.Args = append(cmd.Args, f)
	}
	return cmd, nil
}

// parseNumber reads a positive decimal message number or count. It
// refuses signs, spaces and values beyond uint32.
func parseNumber(s string) (int, error) {
	if s == "" || len(s) > 10 {
		return 0, errBadNumber
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errBadNumber
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errBadNumber
	}
	return int(n), nil
}
