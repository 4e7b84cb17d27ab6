package pop3server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"gocyrus/pkg/auth"
)

// cmdUser: USER name (RFC 1939 §7).
func (s *session) cmdUser(cmd command) {
	if !s.wantArgs(cmd, 1, 1) {
		return
	}
	if s.user != "" {
		s.reply("-ERR [AUTH] Must give PASS command")
		return
	}
	if !s.srv.opts.Auth.PlaintextAllowed(s.tlsState != nil) {
		s.reply("-ERR [AUTH] USER command only available under a layer")
		return
	}
	s.user = cmd.Args[0]
	s.reply("+OK Name is a valid mailbox")
}

// cmdPass: PASS password; the password is the rest of the line, spaces
// included.
func (s *session) cmdPass(cmd command) {
	if s.user == "" {
		s.reply("-ERR [AUTH] Must give USER command")
		return
	}
	if cmd.Rest == "" {
		s.reply("-ERR Missing argument")
		return
	}
	login := s.user
	s.user = ""
	userPart, folder := s.splitFolder(login)
	res, err := s.srv.opts.Auth.CheckPassword(s.ctx, s.connInfo(), userPart, cmd.Rest)
	if err != nil {
		s.replyAuthError(err, "-ERR [AUTH] Invalid login")
		return
	}
	s.login(res, folder)
}

// cmdAPOP: APOP name digest (RFC 1939 §7).
func (s *session) cmdAPOP(cmd command) {
	if !s.wantArgs(cmd, 2, 2) {
		return
	}
	if s.challenge == "" {
		s.reply("-ERR [AUTH] APOP not available")
		return
	}
	userPart, folder := s.splitFolder(cmd.Args[0])
	res, err := s.srv.opts.Auth.CheckAPOP(s.ctx, s.connInfo(), s.challenge, userPart, cmd.Args[1])
	if err != nil {
		s.replyAuthError(err, "-ERR [AUTH] Invalid login")
		return
	}
	s.login(res, folder)
}

// cmdAuth: AUTH [mechanism [initial-response]] (RFC 5034). Without an
// argument it lists the mechanisms, as Cyrus does.
func (s *session) cmdAuth(cmd command) {
	if !s.wantArgs(cmd, 0, 2) {
		return
	}
	a := s.srv.opts.Auth
	if len(cmd.Args) == 0 {
		var b strings.Builder
		b.WriteString("+OK List of supported mechanisms follows\r\n")
		for _, m := range a.MechanismsFor(s.connInfo()) {
			b.WriteString(m + "\r\n")
		}
		b.WriteString(".")
		s.reply(b.String())
		return
	}
	if s.user != "" {
		s.user = ""
	}
	ex, err := a.Start(s.ctx, strings.ToUpper(cmd.Args[0]), s.connInfo())
	if err != nil {
		s.replyAuthError(err, "-ERR [AUTH] Invalid SASL mechanism")
		return
	}
	var resp []byte // nil: no initial response
	if len(cmd.Args) == 2 {
		if resp, err = decodeSASL(cmd.Args[1]); err != nil {
			s.reply("-ERR [AUTH] Invalid base64 string")
			return
		}
	}
	for {
		challenge, done, err := ex.Next(resp)
		if err != nil {
			s.replyAuthError(err, "-ERR [AUTH] authentication failure")
			return
		}
		if done {
			break
		}
		s.reply("+ " + base64.StdEncoding.EncodeToString(challenge))
		line, err := s.readLine()
		if err != nil {
			s.reply("-ERR [AUTH] " + err.Error())
			if !errors.Is(err, errLineTooLong) {
				s.conn.Close()
			}
			return
		}
		if line == "*" {
			s.reply("-ERR [AUTH] Client canceled authentication")
			return
		}
		if resp, err = base64.StdEncoding.DecodeString(line); err != nil {
			s.reply("-ERR [AUTH] Invalid base64 string")
			return
		}
	}
	res, ok := ex.Result()
	if !ok {
		s.reply("-ERR [AUTH] authentication failure")
		return
	}
	s.login(res, "")
}

// decodeSASL decodes an initial response; "=" is the empty one.
func decodeSASL(arg string) ([]byte, error) {
	if arg == "=" {
		return []byte{}, nil
	}
	return base64.StdEncoding.DecodeString(arg)
}

// replyAuthError maps an authentication error to Cyrus's replies;
// failure is the text for a plain refusal.
func (s *session) replyAuthError(err error, failure string) {
	s.log.Info("authentication failed", "err", err)
	switch {
	case errors.Is(err, auth.ErrTLSRequired):
		s.reply("-ERR [AUTH] Authentication only available under a layer")
	case errors.Is(err, auth.ErrUnavailable):
		s.reply("-ERR [SYS/TEMP] Authentication service unavailable")
	case errors.Is(err, auth.ErrMalformed):
		s.reply("-ERR [AUTH] Invalid authentication message")
	default:
		s.reply(failure)
	}
}

// splitFolder splits "user+folder" with popsubfolders; folder is "" for
// the INBOX.
func (s *session) splitFolder(login string) (user, folder string) {
	if !s.srv.opts.Config.Popsubfolders() {
		return login, ""
	}
	if u, f, ok := strings.Cut(login, "+"); ok && u != "" && f != "" {
		return u, f
	}
	return login, ""
}

// cmdSTLS: STLS (RFC 2595 §4). Data pipelined behind STLS would be
// injected into the TLS session's plaintext, so it ends the session.
func (s *session) cmdSTLS(cmd command) bool {
	if !s.noArgs(cmd) {
		return false
	}
	if s.srv.opts.TLS == nil || s.tlsState != nil {
		s.reply("-ERR STLS not available")
		return false
	}
	s.reply("+OK Begin TLS negotiation now")
	if s.r.Buffered() > 0 {
		s.log.Info("data pipelined behind STLS; closing")
		return true
	}
	if err := s.startTLS(); err != nil {
		s.log.Info("STLS handshake failed", "err", err)
		return true
	}
	s.user = ""
	return false
}

// cmdCapa: CAPA (RFC 2449), with Cyrus's list. SASL, STLS and USER only
// before login.
func (s *session) cmdCapa(cmd command) {
	if !s.noArgs(cmd) {
		return
	}
	cfg := s.srv.opts.Config
	a := s.srv.opts.Auth
	tlsActive := s.tlsState != nil
	var b strings.Builder
	b.WriteString("+OK List of capabilities follows\r\n")
	if s.drop == nil {
		if mechs := a.MechanismsFor(s.connInfo()); len(mechs) > 0 {
			b.WriteString("SASL " + strings.Join(mechs, " ") + "\r\n")
		}
		if s.srv.opts.TLS != nil && !tlsActive {
			b.WriteString("STLS\r\n")
		}
	}
	if exp := cfg.Popexpiretime(); exp < 0 {
		b.WriteString("EXPIRE NEVER\r\n")
	} else {
		fmt.Fprintf(&b, "EXPIRE %d\r\n", int(exp.Hours()/24))
	}
	fmt.Fprintf(&b, "LOGIN-DELAY %d\r\n", int(cfg.Popminpoll().Seconds()))
	b.WriteString("TOP\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n")
	if s.drop == nil && a.PlaintextAllowed(tlsActive) {
		b.WriteString("USER\r\n")
	}
	if cfg.Serverinfo() == "on" {
		b.WriteString("IMPLEMENTATION Cyrus POP3 " + s.srv.opts.Version + "\r\n")
	}
	b.WriteString(".")
	s.reply(b.String())
}

// cmdQuit: QUIT; in the TRANSACTION state it enters UPDATE first.
func (s *session) cmdQuit(cmd command) bool {
	if !s.noArgs(cmd) {
		return false
	}
	if s.drop == nil {
		s.reply("+OK")
		return true
	}
	if err := s.drop.update(s.ctx, s.srv.opts.Config.Popuseimapflags()); err != nil {
		s.log.Error("updating the maildrop at QUIT", "mailbox", s.drop.name, "err", err)
		s.reply("-ERR [SYS/TEMP] Unable to update maildrop: some deleted messages were not removed")
		return true
	}
	s.reply("+OK")
	return true
}
