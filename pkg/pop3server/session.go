package pop3server

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"strings"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/logins"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/service"
	"gocyrus/pkg/userdeny"
)

// writeBufferSize holds a typical message (and a long listing's chunk)
// whole, so that most responses leave in one write; it is small enough
// to keep idle connections cheap.
const writeBufferSize = 16 << 10

// errLineTooLong: a command line beyond maxline (discarded).
var errLineTooLong = errors.New("Line too long")

// session is one connection's state.
type session struct {
	ctx     context.Context
	srv     *Server
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	scratch *bufio.Reader // message reader reused by RETR/TOP, made on first use
	id      string        // the session id, shown at login
	log     *slog.Logger

	tlsState  *tls.ConnectionState
	challenge string // APOP timestamp from the greeting, "" if none

	user string    // login name from USER, waiting for PASS
	drop *maildrop // non-nil in the TRANSACTION state
	// loginSlot is this session's place in the login counts (maxlogins_*).
	loginSlot *logins.Slot
	deny      userdeny.SessionWatch // the deny list's watch on this session (userdeny.go)
	proc      *procinfo.Entry       // the session's row for cyr_info proc (proc.go)
	procUser  string                // the logged-in user the row shows
}

// newSession is the protocol's side of a connection the service skeleton
// accepted (and, with implicit TLS, already moved onto TLS).
func newSession(srv *Server, c *service.Session) *session {
	return &session{
		ctx: c.Ctx, srv: srv, conn: c.Conn, id: c.ID, log: c.Log, tlsState: c.TLS,
		r:    bufio.NewReader(c.Conn),
		w:    bufio.NewWriterSize(c.Conn, writeBufferSize),
		proc: srv.opts.Proc.Add(c.Conn.RemoteAddr()),
	}
}

func (s *session) close() {
	s.unwatchDeny()
	if s.drop != nil {
		s.drop.close()
		s.drop = nil
	}
	s.loginSlot.Release()
	s.loginSlot = nil
	s.proc.Remove()
}

func (s *session) connInfo() auth.ConnInfo {
	return auth.ConnInfo{TLS: s.tlsState, Remote: s.conn.RemoteAddr()}
}

// run greets and serves commands until the session ends.
func (s *session) run() {
	s.greet()
	for {
		s.setReadDeadline(time.Now().Add(s.srv.timeout))
		if s.endIfDenied() {
			return
		}
		line, err := s.readLine()
		if errors.Is(err, errLineTooLong) {
			s.reply("-ERR " + err.Error())
			continue
		}
		if err != nil {
			s.endOnReadError(err)
			return
		}
		cmd, err := parseCommand(line)
		if err != nil {
			s.reply("-ERR " + err.Error())
			continue
		}
		s.procCommand(cmd.Verb)
		quit := s.dispatch(cmd)
		s.procCommand("")
		if quit {
			return
		}
	}
}

// endOnReadError tells the client why the session ends, when it can.
func (s *session) endOnReadError(err error) {
	var ne net.Error
	switch {
	case s.endIfDenied():
	case s.ctx.Err() != nil:
		s.reply("-ERR [SYS/TEMP] Server shutting down")
	case errors.As(err, &ne) && ne.Timeout():
		s.reply("-ERR [SYS/TEMP] Autologout; idle for too long")
	}
}

// farewell is the session's last words after a server bug (a panic). The
// maildrop is closed without QUIT, so nothing marked with DELE is removed.
func (s *session) farewell() {
	s.reply("-ERR [SYS/TEMP] Fatal error: internal server error")
}

// greet sends the banner, with an APOP challenge when APOP can succeed.
func (s *session) greet() {
	if s.srv.opts.Auth.APOPAvailable(s.connInfo()) {
		if c, err := s.srv.opts.Auth.APOPChallenge(); err == nil {
			s.challenge = c
		}
	}
	var b strings.Builder
	b.WriteString("+OK ")
	switch s.srv.opts.Config.Serverinfo() {
	case "off":
		b.WriteString("server ready")
	case "min":
		b.WriteString(s.srv.servername + " Cyrus POP3 server ready")
	default:
		b.WriteString(s.srv.servername + " Cyrus POP3 " + s.srv.opts.Version + " server ready")
	}
	if s.challenge != "" {
		b.WriteString(" " + s.challenge)
	}
	s.reply(b.String())
}

// readLine returns the next command line without its line end. A line
// longer than maxLine is consumed and reported as errLineTooLong.
func (s *session) readLine() (string, error) {
	var buf []byte
	tooLong := false
	for {
		seg, err := s.r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(seg) > s.srv.maxLine+2 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, seg...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return "", err
		}
		if tooLong {
			return "", errLineTooLong
		}
		line := strings.TrimSuffix(string(buf), "\n")
		return strings.TrimSuffix(line, "\r"), nil
	}
}

// reply writes one status line and flushes it.
func (s *session) reply(line string) {
	s.w.WriteString(line)
	s.w.WriteString("\r\n")
	s.flush()
}

// flush sends the buffered response. A write error surfaces as the next
// read failing, which ends the session.
func (s *session) flush() { service.Flush(s.conn, s.w, s.srv.timeout, s.log) }

// startTLS runs the server side of the TLS handshake and moves the session
// onto the TLS connection.
func (s *session) startTLS() error {
	tc, st, err := service.StartTLS(s.ctx, s.conn, s.srv.opts.TLS, s.r, s.w)
	if err != nil {
		return err
	}
	s.conn, s.tlsState = tc, st
	return nil
}

// dispatch runs one command; it reports whether the session is over.
func (s *session) dispatch(cmd command) bool {
	defer metrics.Command(cmd.Verb, time.Now())
	if s.srv.testFault != nil {
		s.srv.testFault(cmd.Verb)
	}
	if cmd.Verb == "QUIT" {
		return s.cmdQuit(cmd)
	}
	if cmd.Verb == "CAPA" {
		s.cmdCapa(cmd)
		return false
	}
	if s.drop == nil {
		switch cmd.Verb {
		case "USER":
			s.cmdUser(cmd)
		case "PASS":
			s.cmdPass(cmd)
		case "APOP":
			s.cmdAPOP(cmd)
		case "AUTH":
			s.cmdAuth(cmd)
		case "STLS":
			return s.cmdSTLS(cmd)
		default:
			s.reply("-ERR Unrecognized command")
		}
		return false
	}
	switch cmd.Verb {
	case "STAT":
		s.cmdStat(cmd)
	case "LIST":
		s.cmdList(cmd)
	case "UIDL":
		s.cmdUIDL(cmd)
	case "RETR":
		s.cmdRetr(cmd)
	case "TOP":
		s.cmdTop(cmd)
	case "DELE":
		s.cmdDele(cmd)
	case "RSET":
		s.cmdRset(cmd)
	case "NOOP":
		if s.noArgs(cmd) {
			s.reply("+OK")
		}
	default:
		s.reply("-ERR Unrecognized command")
	}
	return false
}

// noArgs refuses arguments to a command that takes none.
func (s *session) noArgs(cmd command) bool {
	if len(cmd.Args) > 0 {
		s.reply("-ERR Unexpected extra argument")
		return false
	}
	return true
}

// wantArgs checks the argument count of a command.
func (s *session) wantArgs(cmd command, minArgs, maxArgs int) bool {
	switch {
	case len(cmd.Args) < minArgs:
		s.reply("-ERR Missing argument")
		return false
	case len(cmd.Args) > maxArgs:
		s.reply("-ERR Unexpected extra argument")
		return false
	}
	return true
}
