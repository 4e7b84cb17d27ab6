package auth

import (
	"context"
	"fmt"

	"github.com/emersion/go-sasl"
)

// anonymousMech is ANONYMOUS (RFC 4505). The client's trace (often an
// email address) is accepted and not logged.
type anonymousMech struct {
	srv sasl.Server
}

func newAnonymousMech() *anonymousMech {
	return &anonymousMech{srv: sasl.NewAnonymousServer(func(string) error { return nil })}
}

func (m *anonymousMech) claimed() string { return AnonymousUser }

func (m *anonymousMech) step(_ context.Context, resp []byte) ([]byte, *Result, error) {
	challenge, done, err := m.srv.Next(resp)
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("%w: ANONYMOUS: %v", ErrMalformed, err)
	case done:
		res := anonymousResult(MechAnonymous)
		return nil, &res, nil
	}
	return challenge, nil, nil
}
