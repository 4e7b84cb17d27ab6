package imapserver

import (
	"encoding/base64"
	"errors"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/logins"
)

// cmdStartTLS: RFC 3501 §6.2.1, RFC 2595.
func cmdStartTLS(s *session, c wire.Command) (reply, error) {
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	if s.srv.opts.TLS == nil || s.tls != nil || s.compressed {
		return reply{}, bad("STARTTLS not available")
	}
	// Commands pipelined after STARTTLS would be read as if protected
	// (CVE-2011-0411): refuse rather than carry them across.
	if s.r.Buffered() > 0 {
		return reply{}, bad("Commands sent after STARTTLS before the handshake")
	}
	s.w.StatusResponse(c.Tag, wire.OK, "", "Begin TLS negotiation now")
	if err := s.w.Flush(); err != nil {
		return reply{}, connErr(err)
	}
	if err := s.handshake(); err != nil {
		s.log.Info("STARTTLS handshake failed", "err", err)
		return reply{}, connErr(err)
	}
	// The tagged OK is already sent; nothing more for this command.
	return reply{}, errAnswered
}

// errAnswered tells finish that the handler wrote its own tagged response.
var errAnswered = errors.New("tagged response already sent")

// cmdLogin: RFC 3501 §6.2.3. Refused without TLS unless plaintext is
// allowed (LOGINDISABLED).
func cmdLogin(s *session, c wire.Command) (reply, error) {
	user, pass, err := wire.ParseLogin(s.r)
	if err != nil {
		return reply{}, err
	}
	if !s.srv.opts.Auth.PlaintextAllowed(s.tls != nil) {
		return reply{}, errLoginDisabled
	}
	if err := s.refuseIfShutdown(); err != nil {
		return reply{}, err
	}
	res, err := s.srv.opts.Auth.CheckPassword(s.ctx, s.connInfo(), user, pass)
	if err != nil {
		return reply{}, err
	}
	return s.loggedIn(res)
}

// cmdAuthenticate: RFC 3501 §6.2.2 with SASL-IR (RFC 4959). Challenges
// and responses travel base64-encoded; "*" cancels.
func cmdAuthenticate(s *session, c wire.Command) (reply, error) {
	ac, err := wire.ParseAuthenticate(s.r)
	if err != nil {
		return reply{}, err
	}
	if err := s.refuseIfShutdown(); err != nil {
		return reply{}, err
	}
	ex, err := s.srv.opts.Auth.Start(s.ctx, ac.Mechanism, s.connInfo())
	if err != nil {
		return reply{}, err
	}
	var resp []byte // nil: no initial response
	if ac.HasInitial {
		resp = []byte{}
		if ac.InitialResponse != "=" {
			if resp, err = base64.StdEncoding.DecodeString(ac.InitialResponse); err != nil {
				return reply{}, bad("Invalid base64 in initial response")
			}
		}
	}
	for {
		challenge, done, err := ex.Next(resp)
		if err != nil {
			return reply{}, err
		}
		if done {
			break
		}
		s.w.Continuation(base64.StdEncoding.EncodeToString(challenge))
		if err := s.w.Flush(); err != nil {
			return reply{}, connErr(err)
		}
		line, err := s.r.ReadLine()
		if err != nil {
			var we *wire.Error
			if errors.As(err, &we) {
				return reply{}, err
			}
			return reply{}, connErr(err)
		}
		if line == "*" {
			return reply{}, bad("Client canceled authentication")
		}
		if resp, err = base64.StdEncoding.DecodeString(line); err != nil {
			return reply{}, bad("Invalid base64 in response")
		}
	}
	res, _ := ex.Result()
	return s.loggedIn(res)
}

// refuseIfShutdown applies configdirectory/msg/shutdown: no new logins.
func (s *session) refuseIfShutdown() error {
	if msg := s.srv.message("shutdown"); msg != "" {
		return noCode("ALERT", msg)
	}
	return nil
}

// loggedIn moves the session to the Authenticated state, unless the
// login would exceed maxlogins_per_user or maxlogins_per_host: then the
// session stays unauthenticated, as in Cyrus.
func (s *session) loggedIn(res auth.Result) (reply, error) {
	if err := s.refuseIfDenied(res); err != nil {
		return reply{}, err
	}
	slot, err := s.srv.logins.Acquire(res.User, logins.HostOf(s.conn.RemoteAddr()), s.srv.loginLimits)
	if err != nil {
		s.log.Warn("login refused", "user", res.User, "err", err)
		return reply{}, no(err.Error())
	}
	s.login = slot
	s.user = res
	s.who = acl.Identity{User: res.User, Anonymous: res.Anonymous}
	if !res.Anonymous {
		groups, err := s.srv.groups.GroupsOf(res.User)
		if err != nil {
			s.log.Debug("no group memberships", "err", err)
		}
		s.who.Groups = groups
	}
	s.state = stateAuth
	s.watchDeny()
	s.log = s.log.With("user", res.User)
	s.log.Info("login", "mechanism", res.Mechanism, "tls", s.tls != nil)
	s.provisionAtLogin(res)
	if motd := s.srv.message("motd"); motd != "" {
		s.w.StatusResponse("*", wire.OK, "ALERT", motd)
	}
	return reply{Code: "CAPABILITY " + s.capabilities(), Text: "User logged in SESSIONID=<" + s.id + ">"}, nil
}
