package imapserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/logins"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/service"
	"gocyrus/pkg/tlsconf"
	"gocyrus/pkg/userdeny"
)

// state is a connection state of RFC 3501 §3; command tables are keyed by
// sets of them.
type state uint8

const (
	stateNotAuth state = 1 << iota
	stateAuth
	stateSelected
	stateLogout

	stateAny      = stateNotAuth | stateAuth | stateSelected
	stateLoggedIn = stateAuth | stateSelected
)

// session is one client connection. All its fields belong to the
// connection's goroutine; only IDLE starts a helper, which reads one line.
type session struct {
	ctx     context.Context
	srv     *Server
	conn    net.Conn
	r       *wire.Reader
	w       *wire.Writer
	id      string
	log     *slog.Logger
	baseLog *slog.Logger // log before login (UNAUTHENTICATE returns to it)
	state   state

	tls        *tls.ConnectionState // nil until TLS is active
	compressed bool                 // COMPRESS DEFLATE is active
	user       auth.Result
	who        acl.Identity
	enabled    enabled
	sel        *selected  // the selected mailbox, nil outside the Selected state
	appendBox  *appendBox // the last APPEND target, kept open (cmd_append.go)
	// admitMessage, during an APPEND, refuses a message literal of the
	// announced size before it is invited (quota).
	admitMessage func(size int64) error
	searchRs     []uint32         // the saved search result "$" (RFC 5182), as UIDs
	contexts     []*searchContext // live RETURN (UPDATE) contexts (context.go)
	login        *logins.Slot     // this session's place in the login counts
	notify       *notifyState     // NOTIFY SET in force (notify.go), nil without

	prog cmdProgress           // the running command's INPROGRESS clock (inprogress.go)
	deny userdeny.SessionWatch // the deny list's watch on this session (userdeny.go)
	proc *procinfo.Entry       // the session's row for cyr_info proc (proc.go)
}

// enabled is what the client turned on with ENABLE (RFC 5161) or by using
// it (CONDSTORE). rev2 is IMAP4rev2 (RFC 9051, rev2.go).
type enabled struct {
	condstore, qresync, rev2 bool
	uidonly                  bool // uidonly.go
	utf8                     bool // UTF8=ACCEPT, utf8accept.go
}

// newSession is the protocol's side of a connection the service skeleton
// accepted (and, with implicit TLS, already moved onto TLS).
func newSession(srv *Server, c *service.Session) *session {
	s := &session{ctx: c.Ctx, srv: srv, conn: c.Conn, state: stateNotAuth, id: c.ID, log: c.Log, tls: c.TLS}
	s.baseLog = s.log
	s.proc = srv.opts.Proc.Add(c.Conn.RemoteAddr())
	s.w = wire.NewWriter(c.Conn)
	s.r = wire.NewReader(c.Conn, wire.Options{
		MaxLineLength:  srv.maxLine,
		MaxLiteralSize: srv.maxMessage,
		Continue:       s.continueLiteral,
	})
	return s
}

// continueLiteral invites the client to send a synchronising literal,
// unless it is an APPEND message the target cannot take.
func (s *session) continueLiteral(info wire.LiteralInfo) error {
	if info.Message && s.admitMessage != nil {
		if err := s.admitMessage(info.Size); err != nil {
			return err
		}
	}
	s.w.Continuation("go ahead")
	return connErr(s.w.Flush())
}

// close ends the session: the connection dropping closes the selected
// mailbox like LOGOUT (autoexpunge included) and frees the login slot.
func (s *session) close() {
	s.unwatchDeny()
	s.closeMailbox()
	s.closeAppendBox()
	s.notify.stop()
	s.login.Release()
	s.login = nil
	s.proc.Remove()
}

func (s *session) connInfo() auth.ConnInfo {
	return auth.ConnInfo{TLS: s.tls, Remote: s.conn.RemoteAddr()}
}

// run greets the client and serves commands until LOGOUT or a dead
// connection.
func (s *session) run() {
	if msg := s.srv.message("shutdown"); msg != "" {
		s.w.StatusResponse("*", wire.BYE, "", msg)
		s.w.Flush()
		return
	}
	s.w.StatusResponse("*", wire.OK, "CAPABILITY "+s.greetingCapabilities(),
		s.srv.servername+" gocyrus IMAP "+Version+" server ready")
	if s.w.Flush() != nil {
		return
	}
	for s.state != stateLogout {
		s.setReadDeadline(time.Now().Add(s.srv.timeout))
		if s.byeIfDenied() {
			return
		}
		cmd, err := s.r.ReadCommand()
		if err != nil {
			s.readFailed(cmd, err)
			continue
		}
		s.execute(cmd)
	}
}

// readFailed answers a command that could not be read: BAD when its text
// was wrong, nothing (the session ends) when the connection was.
func (s *session) readFailed(cmd wire.Command, err error) {
	var we *wire.Error
	if !errors.As(err, &we) {
		s.endOnConnError(err)
		return
	}
	tag := cmd.Tag
	if tag == "" {
		tag = "*"
	}
	status := wire.BAD
	if we.No {
		status = wire.NO
	}
	s.w.StatusResponse(tag, status, we.Code, we.Msg)
	if we.Fatal {
		s.w.StatusResponse("*", wire.BYE, "", "Fatal protocol error")
		s.state = stateLogout
	}
	if s.w.Flush() != nil {
		s.state = stateLogout
	}
}

// endOnConnError ends the session; when the server is stopping or the
// client idled too long it is told why first.
func (s *session) endOnConnError(err error) {
	s.state = stateLogout
	switch {
	case s.byeIfDenied():
	case s.ctx.Err() != nil:
		s.w.StatusResponse("*", wire.BYE, "", "Server shutting down")
		s.w.Flush()
	case errors.Is(err, errTimeout), isTimeout(err):
		s.w.StatusResponse("*", wire.BYE, "", "Autologout; idle for too long")
		s.w.Flush()
	}
}

var errTimeout = errors.New("client idle too long")

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// execute runs one command: state check, handler, untagged updates of the
// selected mailbox, tagged status — then flushes the whole response.
func (s *session) execute(cmd wire.Command) {
	defer metrics.Command(cmd.Name, time.Now())
	c, ok := commands[cmd.Name]
	var rep reply
	var err error
	switch {
	case !ok || (cmd.UID && !c.uid):
		err = bad("Unrecognized command")
	case c.states&s.state == 0:
		err = s.wrongState(c)
	case s.refuseSeqNumbers(cmd) != nil:
		err = errUIDRequired
	default:
		if s.srv.testFault != nil {
			s.srv.testFault(cmd.Name)
		}
		s.startProgress(cmd.Tag)
		s.procCommand(cmd.Name)
		rep, err = c.run(s, cmd)
	}
	s.finish(cmd, c, rep, err)
	s.procCommand("")
}

// farewell is the session's last words after a server bug (a panic):
// Cyrus's fatal() BYE with the SERVERBUG code of RFC 5530.
func (s *session) farewell() {
	s.w.StatusResponse("*", wire.BYE, "SERVERBUG", "Fatal error: internal server error")
	s.w.Flush()
}

// wrongState explains why a command is refused in the current state.
func (s *session) wrongState(c command) error {
	switch {
	case s.state == stateNotAuth:
		return bad("Please login first")
	case c.states == stateNotAuth:
		return bad("Already authenticated")
	default:
		return bad("Please select a mailbox first")
	}
}

// reply is the tagged OK of a successful command; the zero value is "OK
// Completed".
type reply struct {
	Code, Text string
}

// finish maps the command's outcome to the response, in the one place
// docs/HACKING.md "Errors" asks for: user error → NO [code], syntax → BAD, I/O → close,
// server error → logged + generic NO.
func (s *session) finish(cmd wire.Command, c command, rep reply, err error) {
	if errors.Is(err, errAnswered) {
		if s.w.Flush() != nil {
			s.state = stateLogout
		}
		return
	}
	status := wire.OK
	if err != nil {
		kind, ue := classify(err)
		if ue != nil && ue.Code == "OVERQUOTA" {
			metrics.QuotaRefused()
		}
		switch kind {
		case kindIO:
			s.endOnConnError(err)
			return
		case kindServer:
			s.log.Error("command failed", "command", cmd.Name, "err", err)
		}
		status = wire.NO
		if kind == kindSyntax {
			status = wire.BAD
		}
		rep = reply{Code: ue.Code, Text: ue.Msg}
		var we *wire.Error
		if errors.As(err, &we) && we.Fatal {
			s.w.StatusResponse(cmd.Tag, status, rep.Code, rep.Text)
			s.w.StatusResponse("*", wire.BYE, "", "Fatal protocol error")
			s.w.Flush()
			s.state = stateLogout
			return
		}
	}
	if s.sel != nil && status != wire.BAD {
		if serr := s.sel.sync(s, c.expungeAllowed(cmd)); serr != nil {
			s.mailboxGone(serr)
			return
		}
	}
	if err := s.notifyPending(); err != nil {
		s.log.Warn("NOTIFY: reporting changes", "err", err)
	}
	if rep.Text == "" {
		rep.Text = "Completed"
	}
	s.w.StatusResponse(cmd.Tag, status, rep.Code, rep.Text)
	if s.w.Flush() != nil {
		s.state = stateLogout
	}
}

// mailboxGone ends a session whose selected mailbox vanished or broke
// under it, as Cyrus does.
func (s *session) mailboxGone(err error) {
	s.log.Info("selected mailbox is gone", "mailbox", s.sel.name, "err", err)
	s.w.StatusResponse("*", wire.BYE, "", "Selected mailbox was deleted or damaged")
	s.w.Flush()
	s.unselect()
	s.state = stateLogout
}

// handshake runs the server side of TLS on the connection (imaps, or
// after STARTTLS) and swaps the reader and writer onto it.
func (s *session) handshake() error {
	tc, st, err := tlsconf.Handshake(s.ctx, s.conn, s.srv.opts.TLS)
	if err != nil {
		return err
	}
	s.tls = st
	s.conn = tc
	s.r.Wrap(func(_ io.Reader) io.Reader { return tc })
	return s.w.Wrap(func(_ io.Writer) io.Writer { return tc })
}
