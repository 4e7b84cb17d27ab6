package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/xdg-go/scram"

	"gocyrus/pkg/sasldb"
)

// scramMech is SCRAM-SHA-1 or SCRAM-SHA-256 (RFC 5802, RFC 7677) against
// the sasldb's stored keys, without channel binding (no -PLUS).
type scramMech struct {
	a      *Authenticator
	conn   ConnInfo
	name   string
	hash   scram.HashGeneratorFcn
	conv   *scram.ServerConversation
	ctx    context.Context // of the current step, for the credential lookup
	login  string
	userid string // canonical authcid, set by the lookup
	failed error  // why the lookup refused, overriding the library's error
	state  int    // 0: want client-first, 1: want client-final, 2: want the empty ack
	res    Result
}

func newScramMech(a *Authenticator, conn ConnInfo, name string) (*scramMech, error) {
	m := &scramMech{a: a, conn: conn, name: name, hash: scram.SHA256}
	if name == MechScramSHA1 {
		m.hash = scram.SHA1
	}
	srv, err := m.hash.NewServer(m.lookup)
	if err != nil {
		return nil, fmt.Errorf("auth: %s server: %w", name, err)
	}
	m.conv = srv.NewConversation()
	return m, nil
}

func (m *scramMech) claimed() string { return m.login }

func (m *scramMech) step(ctx context.Context, resp []byte) ([]byte, *Result, error) {
	if resp == nil {
		return []byte{}, nil, nil
	}
	m.ctx = ctx
	switch m.state {
	case 0:
		m.state = 1
		out, err := m.conv.Step(string(resp))
		if m.failed != nil {
			return nil, nil, m.failed
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s client-first: %v", ErrMalformed, m.name, err)
		}
		return []byte(out), nil, nil
	case 1:
		m.state = 2
		out, err := m.conv.Step(string(resp))
		if err != nil || !m.conv.Valid() {
			return nil, nil, fmt.Errorf("%w: %s: %s: %v", ErrAuthFailed, m.name, m.userid, err)
		}
		z, err := m.a.authorizeLogin(m.conn, m.userid, m.conv.AuthzID())
		if err != nil {
			return nil, nil, err
		}
		m.res = m.a.resultFor(m.name, z, m.userid)
		return []byte(out), nil, nil // server-final "v=...", acknowledged by an empty message
	default:
		if len(resp) != 0 {
			return nil, nil, fmt.Errorf("%w: %s: data after server-final", ErrMalformed, m.name)
		}
		return nil, &m.res, nil
	}
}

// lookup gives the library the stored keys of the SCRAM username; unknown
// users get decoys so that they fail at the proof, like a wrong password.
func (m *scramMech) lookup(username string) (scram.StoredCredentials, error) {
	m.login = username
	userid, err := m.a.canon.userid(username, m.conn.Domain)
	if err == nil && userid == AnonymousUser {
		err = fmt.Errorf("%w: anonymous has no password (use ANONYMOUS)", ErrAuthFailed)
	}
	if err != nil {
		m.failed = err
		return scram.StoredCredentials{}, err
	}
	m.userid = userid
	c, err := m.a.sasldb.Credential(m.ctx, userid, m.name)
	if errors.Is(err, sasldb.ErrNoUser) {
		return m.a.decoyCredentials(m.name, m.hash, userid), nil
	}
	if err != nil {
		m.failed = fmt.Errorf("%w: %w", ErrUnavailable, err)
		return scram.StoredCredentials{}, m.failed
	}
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(c.Salt), Iters: c.Iters},
		StoredKey:  c.StoredKey,
		ServerKey:  c.ServerKey,
	}, nil
}

// decoyCredentials derives stable, secret-keyed credentials for a user
// who does not exist: the same salt every time, so probing cannot tell.
func (a *Authenticator) decoyCredentials(mech string, hash scram.HashGeneratorFcn, userid string) scram.StoredCredentials {
	derive := func(label string) []byte {
		mac := hmac.New(sha256.New, a.decoyKey[:])
		mac.Write([]byte(label + "\x00" + mech + "\x00" + userid))
		return mac.Sum(nil)
	}
	size := hash().Size()
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(derive("salt")[:16]), Iters: sasldb.Iterations},
		StoredKey:  derive("stored")[:size],
		ServerKey:  derive("server")[:size],
	}
}
