package managesieve

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/service"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/userdeny"
)

// session is one connection's state.
type session struct {
	ctx  context.Context
	srv  *Server
	conn net.Conn
	br   *bufio.Reader
	in   *commandReader
	w    *bufio.Writer
	log  *slog.Logger
	// baseLog names the session and peer; log adds the user once logged in.
	baseLog *slog.Logger

	tlsState *tls.ConnectionState
	user     *auth.Result          // nil until authenticated
	scripts  *sievescripts.Dir     // the directory the session manages
	deny     userdeny.SessionWatch // the deny list's watch on this session (userdeny.go)
	proc     *procinfo.Entry       // the session's row for cyr_info proc (proc.go)
}

// newSession is the protocol's side of a connection the service skeleton
// accepted (and, with implicit TLS, already moved onto TLS).
func newSession(srv *Server, c *service.Session) *session {
	br := bufio.NewReader(c.Conn)
	return &session{
		ctx: c.Ctx, srv: srv, conn: c.Conn, br: br, tlsState: c.TLS,
		in:  newCommandReader(br, srv.maxLine, srv.maxLiteral),
		w:   bufio.NewWriter(c.Conn),
		log: c.Log, baseLog: c.Log,
		proc: srv.opts.Proc.Add(c.Conn.RemoteAddr()),
	}
}

// close releases what the session holds once it ends.
func (s *session) close() {
	s.unwatchDeny()
	s.proc.Remove()
}

func (s *session) connInfo() auth.ConnInfo {
	return auth.ConnInfo{TLS: s.tlsState, Remote: s.conn.RemoteAddr()}
}

// run greets and serves commands until the session ends.
func (s *session) run() {
	s.writeCapabilities()
	s.flush()
	for {
		s.setReadDeadline(time.Now().Add(s.srv.timeout))
		if s.endIfDenied() {
			return
		}
		cmd, err := s.in.readCommand()
		if err != nil && !s.replyReadError(cmd, err) {
			return
		}
		if err == nil && s.dispatch(cmd) {
			return
		}
		s.flush()
	}
}

// replyReadError answers a malformed command; it reports false when the
// connection is over (I/O error, timeout, shutdown).
func (s *session) replyReadError(cmd command, err error) bool {
	var se *syntaxError
	var le *literalTooLargeError
	switch {
	case errors.As(err, &se):
		s.reply(response("NO", "", se.msg))
	case errors.As(err, &le):
		switch {
		case (cmd.name == "PUTSCRIPT" || cmd.name == "CHECKSCRIPT") && s.user == nil:
			s.reply(response("NO", "", "Authenticate first"))
		case cmd.name == "PUTSCRIPT" || cmd.name == "CHECKSCRIPT":
			s.replyTooLarge(s.sizeLimit())
		default:
			s.reply(response("NO", "", le.Error()))
		}
	case errors.Is(err, errLineTooLong):
		s.reply(response("NO", "", errLineTooLong.Error()))
	default:
		s.endOnReadError(err)
		return false
	}
	return true
}

// endOnReadError tells the client why the session ends, when it can.
func (s *session) endOnReadError(err error) {
	var ne net.Error
	switch {
	case s.endIfDenied():
		return
	case s.ctx.Err() != nil:
		s.reply(response("BYE", "", "Server shutting down"))
	case errors.As(err, &ne) && ne.Timeout():
		s.reply(response("BYE", "", "Shutdown TCP timeout"))
	default:
		s.log.Debug("connection ended", "err", err)
		return
	}
	s.flush()
}

// farewell is the session's last words after a server bug (a panic).
func (s *session) farewell() {
	s.reply(response("BYE", "", "Fatal error: internal server error"))
	s.flush()
}

// reply queues one line; run flushes after each command.
func (s *session) reply(line string) {
	s.w.WriteString(line)
	s.w.WriteString("\r\n")
}

// flush sends the queued replies. A write error surfaces as the next read
// failing, which ends the session.
func (s *session) flush() { service.Flush(s.conn, s.w, s.srv.timeout, s.log) }

// startTLS runs the server side of the TLS handshake and moves the session
// onto the TLS connection.
func (s *session) startTLS() error {
	tc, st, err := service.StartTLS(s.ctx, s.conn, s.srv.opts.TLS, s.br, s.w)
	if err != nil {
		return err
	}
	s.conn, s.tlsState = tc, st
	return nil
}

// commands that need an authenticated session.
var authenticatedCommands = map[string]func(*session, command){
	"HAVESPACE":      (*session).cmdHaveSpace,
	"PUTSCRIPT":      (*session).cmdPutScript,
	"CHECKSCRIPT":    (*session).cmdCheckScript,
	"LISTSCRIPTS":    (*session).cmdListScripts,
	"SETACTIVE":      (*session).cmdSetActive,
	"GETSCRIPT":      (*session).cmdGetScript,
	"DELETESCRIPT":   (*session).cmdDeleteScript,
	"RENAMESCRIPT":   (*session).cmdRenameScript,
	"UNAUTHENTICATE": (*session).cmdUnauthenticate,
}

// dispatch runs one command; it reports whether the session is over.
func (s *session) dispatch(cmd command) bool {
	defer metrics.Command(cmd.name, time.Now())
	s.procCommand(cmd.name)
	defer s.procCommand("")
	s.log.Debug("command", "name", cmd.name)
	if s.srv.testFault != nil {
		s.srv.testFault(cmd.name)
	}
	switch cmd.name {
	case "LOGOUT":
		if s.wantArgs(cmd) {
			s.reply(response("OK", "", "Logout Complete"))
			s.flush()
			return true
		}
		return false
	case "CAPABILITY":
		if s.wantArgs(cmd) {
			s.writeCapabilities()
		}
		return false
	case "NOOP":
		s.cmdNoop(cmd)
		return false
	case "AUTHENTICATE":
		return s.cmdAuthenticate(cmd)
	case "STARTTLS":
		return s.cmdStartTLS(cmd)
	}
	handler, ok := authenticatedCommands[cmd.name]
	switch {
	case !ok:
		s.reply(response("NO", "", "Expected a command. Got something else."))
	case s.user == nil:
		s.reply(response("NO", "", "Authenticate first"))
	default:
		handler(s, cmd)
	}
	return false
}

// wantArgs checks a command's arguments against kinds, answering NO when
// they do not match. what names each argument for the error message.
func (s *session) wantArgs(cmd command, what ...string) bool {
	for i, w := range what {
		kind := argString
		if w == "number" {
			kind = argNumber
		}
		if i >= len(cmd.args) || cmd.args[i].kind != kind {
			s.reply(response("NO", "", "Did not specify "+w))
			return false
		}
	}
	if len(cmd.args) > len(what) {
		s.reply(response("NO", "", "Expected EOL"))
		return false
	}
	return true
}

// cmdNoop: NOOP ["tag"] (RFC 5804 §2.13).
func (s *session) cmdNoop(cmd command) {
	if len(cmd.args) == 0 {
		s.reply(response("OK", "", "Done"))
		return
	}
	if !s.wantArgs(cmd, "tag") {
		return
	}
	s.reply(response("OK", "TAG "+quote(cmd.args[0].str), "Done"))
}
