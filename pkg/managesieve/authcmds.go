package managesieve

import (
	"encoding/base64"
	"errors"

	"gocyrus/pkg/auth"
)

// cmdAuthenticate: AUTHENTICATE "mech" ["initial-response"] (RFC 5804
// §2.1). Challenges go out as literals; the client answers each with a
// string, "*" cancelling. It reports whether the connection is over.
func (s *session) cmdAuthenticate(cmd command) bool {
	if len(cmd.args) == 1 {
		if !s.wantArgs(cmd, "mechanism name") {
			return false
		}
	} else if !s.wantArgs(cmd, "mechanism name", "initial response") {
		return false
	}
	if s.user != nil {
		s.reply(response("NO", "", "Already authenticated"))
		return false
	}
	ex, err := s.srv.opts.Auth.Start(s.ctx, cmd.args[0].str, s.connInfo())
	if err != nil {
		s.replyAuthError(err)
		return false
	}
	var resp []byte // nil: no initial response
	if len(cmd.args) == 2 {
		if resp, err = base64.StdEncoding.DecodeString(cmd.args[1].str); err != nil {
			s.reply(response("NO", "", "error base64 decoding string"))
			return false
		}
	}
	for {
		challenge, done, err := ex.Next(resp)
		if err != nil {
			s.replyAuthError(err)
			return false
		}
		if done {
			break
		}
		s.reply(literal(base64.StdEncoding.EncodeToString(challenge)))
		s.flush()
		line, err := s.in.readClientString()
		if err != nil {
			var se *syntaxError
			if errors.As(err, &se) {
				s.reply(response("NO", "", "Authentication Error"))
				return false
			}
			s.endOnReadError(err)
			return true
		}
		if line == "*" {
			s.reply(response("NO", "", "Authentication Error"))
			return false
		}
		if resp, err = base64.StdEncoding.DecodeString(line); err != nil {
			s.reply(response("NO", "", "error base64 decoding string"))
			return false
		}
	}
	res, ok := ex.Result()
	if !ok || s.denied(res) {
		s.reply(response("NO", "", "Authentication Error"))
		return false
	}
	if err := s.login(res); err != nil {
		s.log.Error("opening the script directory", "user", res.User, "err", err)
		s.reply(response("NO", "", "Authentication Error"))
		return false
	}
	s.reply("OK")
	return false
}

// login binds the session to the user's scripts; administrators manage
// their domain's global scripts, as in Cyrus.
func (s *session) login(res auth.Result) error {
	store := s.srv.opts.Scripts
	var err error
	if res.Admin {
		s.scripts, err = store.GlobalDir(res.Domain())
	} else {
		s.scripts, err = store.UserDir(res.User)
	}
	if err != nil {
		return err
	}
	s.user = &res
	s.log = s.baseLog.With("user", res.User)
	s.watchDeny(res.User)
	return nil
}

// replyAuthError maps an authentication error to a reply.
func (s *session) replyAuthError(err error) {
	s.log.Info("authentication failed", "err", err)
	switch {
	case errors.Is(err, auth.ErrTLSRequired):
		s.reply(response("NO", "ENCRYPT-NEEDED", "Authentication only available under a layer"))
	case errors.Is(err, auth.ErrUnavailable):
		s.reply(response("NO", "TRYLATER", "Authentication service unavailable"))
	default:
		s.reply(response("NO", "", "Authentication Error"))
	}
}

// cmdStartTLS: STARTTLS (RFC 5804 §2.2); the capabilities follow the
// handshake. Data pipelined behind STARTTLS would be injected into the TLS
// session's plaintext, so it ends the session. It reports whether the
// connection is over.
func (s *session) cmdStartTLS(cmd command) bool {
	if !s.wantArgs(cmd) {
		return false
	}
	switch {
	case s.srv.opts.TLS == nil:
		s.reply(response("NO", "", "TLS not available"))
		return false
	case s.tlsState != nil:
		s.reply(response("NO", "", "TLS already active"))
		return false
	case s.user != nil:
		s.reply(response("NO", "", "STARTTLS is not allowed after authentication"))
		return false
	}
	s.reply(response("OK", "", "Begin TLS negotiation now"))
	s.flush()
	if s.br.Buffered() > 0 {
		s.log.Info("data pipelined behind STARTTLS; closing")
		return true
	}
	if err := s.startTLS(); err != nil {
		s.log.Info("STARTTLS handshake failed", "err", err)
		return true
	}
	s.writeCapabilities()
	return false
}

// cmdUnauthenticate: UNAUTHENTICATE (RFC 5804 §2.14); back to the
// non-authenticated state.
func (s *session) cmdUnauthenticate(cmd command) {
	if !s.wantArgs(cmd) {
		return
	}
	s.user, s.scripts = nil, nil
	s.log = s.baseLog
	s.reply("OK")
}
