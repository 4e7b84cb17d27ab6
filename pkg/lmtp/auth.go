package lmtp

import (
	"context"
	"errors"
	"time"

	"github.com/emersion/go-sasl"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
)

// authTimeout bounds one SASL exchange's backend calls.
const authTimeout = time.Minute

// AuthMechanisms offers EXTERNAL on trusted connections (as Cyrus does on
// its unix socket) and the authenticator's mechanisms elsewhere.
func (ss *session) AuthMechanisms() []string {
	if ss.preauth {
		return []string{auth.MechExternal}
	}
	if ss.srv.Auth == nil {
		return nil
	}
	return ss.srv.Auth.MechanismsFor(ss.connInfo)
}

// Auth starts a SASL exchange; on success the session's sender identity
// becomes the authenticated user.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	if ss.preauth && mech == auth.MechExternal {
		return &externalServer{ss: ss}, nil
	}
	if ss.srv.Auth == nil {
		return nil, errors.New("authentication is not available")
	}
	ctx, cancel := context.WithTimeout(ss.ctx, authTimeout)
	x, err := ss.srv.Auth.Start(ctx, mech, ss.connInfo)
	if err != nil {
		cancel()
		return nil, err
	}
	return &exchangeServer{ss: ss, x: x, cancel: cancel}, nil
}

// exchangeServer adapts an auth.Exchange to go-sasl's Server.
type exchangeServer struct {
	ss     *session
	x      *auth.Exchange
	cancel context.CancelFunc
}

func (e *exchangeServer) Next(response []byte) ([]byte, bool, error) {
	challenge, done, err := e.x.Next(response)
	if err != nil || done {
		e.cancel()
	}
	if err != nil {
		return nil, false, err
	}
	if done {
		res, ok := e.x.Result()
		if !ok {
			return nil, false, auth.ErrAuthFailed
		}
		e.ss.setAuthenticated(acl.Identity{User: res.User, Anonymous: res.Anonymous, Admin: res.Admin})
	}
	return challenge, done, nil
}

// externalServer is SASL EXTERNAL on a trusted connection: the identity is
// postman, or the authorization id the client asks for.
type externalServer struct{ ss *session }

func (e *externalServer) Next(response []byte) ([]byte, bool, error) {
	if response == nil {
		return []byte{}, false, nil
	}
	who := acl.Identity{User: postman}
	if len(response) > 0 {
		who.User = string(response)
	}
	e.ss.setAuthenticated(who)
	return nil, true, nil
}

func (ss *session) setAuthenticated(who acl.Identity) {
	ss.authed = &who
	ss.who = who
}
