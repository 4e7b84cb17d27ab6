package auth

import (
	"context"
	"fmt"

	"github.com/emersion/go-sasl"
)

// externalMech is EXTERNAL (RFC 4422 appendix A) over a verified TLS client
// certificate; the client's message is an authorization identity or empty.
type externalMech struct {
	srv  sasl.Server
	a    *Authenticator
	conn ConnInfo
	res  *Result
	err  error
	name string
}

func newExternalMech(a *Authenticator, conn ConnInfo) *externalMech {
	m := &externalMech{a: a, conn: conn}
	m.name, _ = conn.ExternalIdentity()
	m.srv = sasl.NewExternalServer(m.authenticate)
	return m
}

func (m *externalMech) claimed() string { return m.name }

func (m *externalMech) step(_ context.Context, resp []byte) ([]byte, *Result, error) {
	challenge, done, err := m.srv.Next(resp)
	switch {
	case m.err != nil:
		return nil, nil, m.err
	case err != nil:
		return nil, nil, fmt.Errorf("%w: EXTERNAL: %v", ErrMalformed, err)
	case done:
		return nil, m.res, nil
	}
	return challenge, nil, nil
}

// authenticate is go-sasl's callback with the requested authzid.
func (m *externalMech) authenticate(authzid string) error {
	if err := checkIdentity("authorization identity", []byte(authzid), true); err != nil {
		m.err = err
		return err
	}
	userid, err := m.a.canon.userid(m.name, m.conn.Domain)
	if err == nil && userid == AnonymousUser {
		err = fmt.Errorf("%w: certificate names anonymous", ErrAuthFailed)
	}
	if err != nil {
		m.err = err
		return err
	}
	z, err := m.a.authorizeLogin(m.conn, userid, authzid)
	if err != nil {
		m.err = err
		return err
	}
	res := m.a.resultFor(MechExternal, z, userid)
	m.res = &res
	return nil
}
