package auth

import (
	"context"
	"crypto/md5"
	"fmt"
)

// APOPChallenge returns a fresh timestamp for pop3d's greeting
// ("<random.unixtime@servername>"); keep it for CheckAPOP.
func (a *Authenticator) APOPChallenge() (string, error) { return a.newChallenge() }

// CheckAPOP authenticates POP3 "APOP user digest" (RFC 1939): digest is
// hex(MD5(challenge + secret)). Errors as CheckPassword, plus
// ErrMechanismUnavailable when APOPAvailable is false and ErrMalformed for
// a digest that is not 32 hex digits. Failures are delayed.
func (a *Authenticator) CheckAPOP(ctx context.Context, conn ConnInfo, challenge, user, digest string) (Result, error) {
	res, err := a.checkAPOP(ctx, conn, challenge, user, digest)
	return a.finish(ctx, conn, MechAPOP, user, res, err)
}

func (a *Authenticator) checkAPOP(ctx context.Context, conn ConnInfo, challenge, user, digest string) (Result, error) {
	if !a.APOPAvailable(conn) {
		return Result{}, fmt.Errorf("%w: APOP", ErrMechanismUnavailable)
	}
	if challenge == "" {
		return Result{}, fmt.Errorf("%w: APOP without a challenge", ErrMalformed)
	}
	d, err := decodeDigest(digest)
	if err != nil {
		return Result{}, err
	}
	res, err := a.secretLogin(ctx, conn, MechAPOP, user, func(secret []byte) []byte {
		h := md5.New()
		h.Write([]byte(challenge))
		h.Write(secret)
		return h.Sum(nil)
	}, d)
	if err != nil {
		return Result{}, err
	}
	return *res, nil
}
