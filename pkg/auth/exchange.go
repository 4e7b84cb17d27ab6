package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// maxClientMessage bounds one client message of any mechanism.
const maxClientMessage = 16 << 10

// mechanism is the server side of one SASL mechanism for one exchange.
type mechanism interface {
	// step consumes a client message — nil only for a missing initial
	// response — and returns the next challenge, or the result when the
	// exchange succeeded. An error ends the exchange.
	step(ctx context.Context, resp []byte) (challenge []byte, res *Result, err error)
	// claimed returns the login name the client has given so far, for logs.
	claimed() string
}

// Exchange is one server-side SASL authentication. Not safe for
// concurrent use; one per AUTHENTICATE command.
type Exchange struct {
	a       *Authenticator
	ctx     context.Context // the command's context: bounds backend calls and the failure delay
	conn    ConnInfo
	mech    string
	m       mechanism
	started bool
	done    bool
	res     Result
	ok      bool
}

// Start begins a SASL exchange with mechanism mech (case-insensitive) on
// conn. A mechanism MechanismsFor(conn) does not list is refused with
// ErrTLSRequired (plaintext without TLS, or tls_required) or
// ErrMechanismUnavailable. ctx bounds the whole exchange.
func (a *Authenticator) Start(ctx context.Context, mech string, conn ConnInfo) (*Exchange, error) {
	mech = strings.ToUpper(mech)
	if !a.offers(mech, conn) {
		a.log.Info("auth: mechanism refused", "mechanism", mech, "remote", conn.remote())
		if (a.cfg.TlsRequired() || mech == MechPlain || mech == MechLogin) && !conn.tlsActive() && a.knows(mech) {
			return nil, fmt.Errorf("%w: %s", ErrTLSRequired, mech)
		}
		return nil, fmt.Errorf("%w: %s", ErrMechanismUnavailable, mech)
	}
	var m mechanism
	switch mech {
	case MechPlain:
		m = &plainMech{a: a, conn: conn}
	case MechLogin:
		m = &loginMech{a: a, conn: conn}
	case MechScramSHA1, MechScramSHA256:
		sm, err := newScramMech(a, conn, mech)
		if err != nil {
			return nil, err
		}
		m = sm
	case MechCRAMMD5:
		m = &cramMD5Mech{a: a, conn: conn}
	case MechExternal:
		m = newExternalMech(a, conn)
	case MechAnonymous:
		m = newAnonymousMech()
	}
	return &Exchange{a: a, ctx: ctx, conn: conn, mech: mech, m: m}, nil
}

// knows reports a mechanism this package implements.
func (a *Authenticator) knows(mech string) bool {
	return slices.Contains(defaultMechOrder, mech)
}

// Mechanism returns the exchange's mechanism name, upper-case.
func (e *Exchange) Mechanism() string { return e.mech }

// Next feeds the client's next message (see the package comment for the
// initial response) and returns the server's challenge, or done. done with
// a nil error means success: Result has the identity. Failures are logged
// and delayed before Next returns.
func (e *Exchange) Next(response []byte) (challenge []byte, done bool, err error) {
	if e.done {
		return nil, true, fmt.Errorf("%w: the exchange is over", ErrMalformed)
	}
	if e.started && response == nil {
		response = []byte{}
	}
	e.started = true
	if len(response) > maxClientMessage {
		err = fmt.Errorf("%w: message longer than %d bytes", ErrMalformed, maxClientMessage)
	} else {
		var res *Result
		challenge, res, err = e.m.step(e.ctx, response)
		if err == nil && res == nil {
			if challenge == nil {
				challenge = []byte{}
			}
			return challenge, false, nil
		}
		if res != nil {
			e.res = *res
		}
	}
	e.done = true
	res, err := e.a.finish(e.ctx, e.conn, e.mech, e.m.claimed(), e.res, err)
	e.res, e.ok = res, err == nil
	return nil, true, err
}

// Result returns the identity of a successful exchange; ok is false until
// then.
func (e *Exchange) Result() (res Result, ok bool) { return e.res, e.ok }
