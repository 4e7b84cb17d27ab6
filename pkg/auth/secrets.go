package auth

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoSecret: the source has no plaintext secret for the user (unknown
// user included).
var ErrNoSecret = errors.New("no plaintext secret for this user")

// PlainSecretSource supplies users' plaintext secrets, which CRAM-MD5 and
// APOP need. None of the pwcheck methods has one (the sasldb keeps only
// SCRAM keys), so these mechanisms stay off unless a source is given.
type PlainSecretSource interface {
	// PlainSecret returns the secret of a canonical userid, or an error
	// wrapping ErrNoSecret. The caller clears the returned slice.
	PlainSecret(ctx context.Context, userid string) ([]byte, error)
}

// lookupSecret fetches userid's secret, mapping a missing secret to
// ErrAuthFailed and other failures to ErrUnavailable.
func (a *Authenticator) lookupSecret(ctx context.Context, userid string) ([]byte, error) {
	secret, err := a.secrets.PlainSecret(ctx, userid)
	switch {
	case errors.Is(err, ErrNoSecret):
		return nil, fmt.Errorf("%w: %w", ErrAuthFailed, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return secret, nil
}
