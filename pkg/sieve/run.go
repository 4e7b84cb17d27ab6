package sieve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Message is the message a script examines.
type Message interface {
	// Header returns the raw (undecoded, possibly folded) values of the
	// named field, in order of appearance.
	Header(name string) []string
	// Size is the message size in octets.
	Size() int64
	// Body returns the whole raw RFC 5322 message, headers included.
	Body() (io.Reader, error)
}

// Envelope is the SMTP/LMTP envelope. From is "" for the null sender.
type Envelope struct {
	From, To string
	Auth     string
}

// Env is the run-time context of one execution.
type Env struct {
	Envelope Envelope
	// Now is the delivery time for currentdate; zero means time.Now().
	// Its location is the local zone for date tests without :zone.
	Now time.Time
	// Duplicate checks and records id for seconds (RFC 7352 duplicate
	// and the vacation memory); nil means "never seen".
	Duplicate func(id string, seconds int64) (seen bool)
	// DuplicateLast is used instead of Duplicate for "duplicate :last"
	// (the period restarts at every sighting); nil falls back to Duplicate.
	DuplicateLast func(id string, seconds int64) (seen bool)
	// MailboxExists answers RFC 5490 mailboxexists; nil means false.
	MailboxExists func(name string) bool
	// MaxActions bounds the number of actions; 0 means 1000.
	MaxActions int
	// MaxBodySize bounds how much of the message the body test reads;
	// 0 means 16 MiB.
	MaxBodySize int64
}

const (
	defaultMaxActions  = 1000
	defaultMaxBodySize = 16 << 20
	// maxSteps bounds commands and tests evaluated in one run (includes
	// without :once can repeat a script many times).
	maxSteps = 200000
	// maxVariableSize bounds a variable's value (RFC 5229 asks for ≥4000).
	maxVariableSize = 64 << 10
)

// scope holds one script instance's variables (RFC 6609: each included
// script has its own, except those declared global).
type scope struct {
	prog          *program
	vars          map[string]string
	globalNames   map[string]bool
	match         []string
	usesMatchVars bool
}

// state is one execution.
type state struct {
	ctx     context.Context
	msg     Message
	env     Env
	hdr     *headerView
	scope   *scope
	globals map[string]string
	flags   []string // the imap4flags internal variable

	actions      []Action
	implicitKeep bool
	discarded    bool
	steps        int
	once         map[includeKey]bool
	body         *bodyCache
	patterns     map[patternKey]*regexp.Regexp
	errs, log    []string
}

// Run executes the script against msg. It never panics on input; a
// run-time error (action conflict, limit, failed include, cancelled
// context) is returned as an error together with a Result holding only
// the implicit Keep, so the caller can deliver to INBOX with $SieveFailed.
func (s *Script) Run(ctx context.Context, msg Message, env Env) (Result, error) {
	if env.MaxActions <= 0 {
		env.MaxActions = defaultMaxActions
	}
	if env.MaxBodySize <= 0 {
		env.MaxBodySize = defaultMaxBodySize
	}
	if env.Now.IsZero() {
		env.Now = time.Now()
	}
	st := &state{
		ctx: ctx, msg: msg, env: env,
		hdr:          newHeaderView(msg),
		globals:      map[string]string{},
		implicitKeep: true,
		once:         map[includeKey]bool{},
	}
	err := st.runProgram(s.main)
	if err != nil && !errors.Is(err, errStop) && !errors.Is(err, errReturn) {
		st.errs = append(st.errs, err.Error())
		return Result{
			Actions:      []Action{{Kind: Keep}},
			ImplicitKeep: true,
			Errors:       st.errs,
			Log:          st.log,
		}, err
	}
	return st.result(), nil
}

func (st *state) runProgram(p *program) error {
	saved := st.scope
	st.scope = &scope{prog: p, vars: map[string]string{}, globalNames: map[string]bool{}, usesMatchVars: p.vars}
	defer func() { st.scope = saved }()
	return st.exec(p.cmds)
}

func (st *state) exec(b block) error {
	for _, c := range b {
		if err := st.step(c.position()); err != nil {
			return err
		}
		if err := c.exec(st); err != nil {
			return err
		}
	}
	return nil
}

// step enforces the time bounds: the context and the step budget.
func (st *state) step(at Pos) error {
	st.steps++
	if st.steps > maxSteps {
		return st.fail(at, "script too long to run (more than %d steps)", maxSteps)
	}
	if st.steps%64 == 0 {
		if err := st.ctx.Err(); err != nil {
			return st.failErr(at, err)
		}
	}
	return nil
}

func (st *state) fail(at Pos, format string, args ...any) error {
	return &RuntimeError{Script: st.scope.prog.name, Pos: at, Msg: fmt.Sprintf(format, args...)}
}

func (st *state) failErr(at Pos, err error) error {
	return &RuntimeError{Script: st.scope.prog.name, Pos: at, Msg: err.Error(), Err: err}
}

func (st *state) note(format string, args ...any) {
	if len(st.log) < 100 {
		st.log = append(st.log, fmt.Sprintf(format, args...))
	}
}

func (st *state) result() Result {
	r := Result{Actions: st.actions, ImplicitKeep: st.implicitKeep, Errors: st.errs, Log: st.log}
	if st.implicitKeep {
		r.Actions = append(r.Actions, Action{Kind: Keep, Flags: cloneFlags(st.flags)})
	}
	if st.discarded && !r.ImplicitKeep {
		disposed := false
		for _, a := range r.Actions {
			switch a.Kind {
			case Keep, FileInto, Redirect, Reject, EReject:
				disposed = true
			}
		}
		if !disposed {
			r.Actions = append(r.Actions, Action{Kind: Discard})
		}
	}
	return r
}

func cloneFlags(f []string) []string {
	if len(f) == 0 {
		return nil
	}
	return append([]string(nil), f...)
}

// addAction records an action, enforcing RFC 5228 §4 duplicate
// suppression and the RFC 5429/5230 incompatibilities, and cancelling the
// implicit keep where the RFCs say so.
func (st *state) addAction(at Pos, a Action) error {
	rejecting := a.Kind == Reject || a.Kind == EReject
	for i := range st.actions {
		prev := &st.actions[i]
		prevRejecting := prev.Kind == Reject || prev.Kind == EReject
		if rejecting && (prevRejecting || delivers(prev.Kind)) {
			return st.fail(at, "%s cannot be used with %s", a.Kind, prev.Kind)
		}
		if prevRejecting && delivers(a.Kind) {
			return st.fail(at, "%s cannot be used with %s", a.Kind, prev.Kind)
		}
		if a.Kind == Vacation && prev.Kind == Vacation {
			return st.fail(at, "vacation used more than once")
		}
		switch {
		case a.Kind == Keep && prev.Kind == Keep,
			a.Kind == FileInto && prev.Kind == FileInto && prev.Mailbox == a.Mailbox:
			prev.Flags = mergeFlags(prev.Flags, a.Flags)
			prev.Create = prev.Create || a.Create
			prev.Copy = prev.Copy && a.Copy
			st.cancelImplicitKeep(a)
			return nil
		case a.Kind == Redirect && prev.Kind == Redirect && strings.EqualFold(prev.Address, a.Address):
			prev.Copy = prev.Copy && a.Copy
			st.cancelImplicitKeep(a)
			return nil
		case a.Kind == Notify && prev.Kind == Notify && prev.Notify.Method == a.Notify.Method:
			// RFC 5435 lets identical methods be notified once: the
			// first notify to a URI wins.
			st.note("notify: duplicate notification to %s dropped", a.Notify.Method)
			return nil
		}
	}
	if len(st.actions) >= st.env.MaxActions {
		return st.failErr(at, fmt.Errorf("%w (limit %d)", ErrTooManyActions, st.env.MaxActions))
	}
	st.actions = append(st.actions, a)
	st.cancelImplicitKeep(a)
	return nil
}

// delivers reports kinds incompatible with reject/ereject.
func delivers(k ActionKind) bool {
	return k == Keep || k == FileInto || k == Redirect || k == Vacation
}

func (st *state) cancelImplicitKeep(a Action) {
	switch a.Kind {
	case Keep, Reject, EReject, Discard:
		st.implicitKeep = false
	case FileInto, Redirect:
		if !a.Copy {
			st.implicitKeep = false
		}
	}
}
