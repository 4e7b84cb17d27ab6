package sieve

import (
	"errors"
	"fmt"
)

// Error is a compile-time (syntax or semantic) error with the position of
// the offending token. Lines and columns count from 1; columns count
// characters (runes), not bytes.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d column %d: %s", e.Line, e.Column, e.Msg)
}

// Pos is a position in a script source.
type Pos struct{ Line, Column int }

func errAt(p Pos, format string, args ...any) *Error {
	return &Error{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)}
}

// RuntimeError is returned by Run when the script fails while running
// (action conflict, missing include, limit exceeded...). Pos locates the
// command that failed; Script names the included script, "" for the main one.
type RuntimeError struct {
	Script string
	Pos    Pos
	Msg    string
	Err    error // underlying cause, if any (ErrTooManyActions, context errors)
}

func (e *RuntimeError) Unwrap() error { return e.Err }

func (e *RuntimeError) Error() string {
	where := ""
	if e.Script != "" {
		where = "script " + e.Script + " "
	}
	return fmt.Sprintf("%sline %d column %d: %s", where, e.Pos.Line, e.Pos.Column, e.Msg)
}

// ErrTooManyActions is wrapped by the RuntimeError returned when a script
// produces more than Env.MaxActions actions.
var ErrTooManyActions = errors.New("too many actions")

// Control-flow signals; never returned to callers.
var (
	errStop   = errors.New("stop")
	errReturn = errors.New("return")
)
