package auth

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// cramMD5Mech is CRAM-MD5 (RFC 2195): the server sends a challenge, the
// client answers "user SP hex(HMAC-MD5(secret, challenge))".
type cramMD5Mech struct {
	a         *Authenticator
	conn      ConnInfo
	challenge string
	login     string
}

func (m *cramMD5Mech) claimed() string { return m.login }

func (m *cramMD5Mech) step(ctx context.Context, resp []byte) ([]byte, *Result, error) {
	if m.challenge == "" {
		if resp != nil {
			return nil, nil, fmt.Errorf("%w: CRAM-MD5 takes no initial response", ErrMalformed)
		}
		c, err := m.a.newChallenge()
		if err != nil {
			return nil, nil, err
		}
		m.challenge = c
		return []byte(c), nil, nil
	}
	user, digest, err := parseCRAMMD5(resp)
	if err != nil {
		return nil, nil, err
	}
	m.login = user
	res, err := m.a.secretLogin(ctx, m.conn, MechCRAMMD5, user, func(secret []byte) []byte {
		mac := hmac.New(md5.New, secret)
		mac.Write([]byte(m.challenge))
		return mac.Sum(nil)
	}, digest)
	return nil, res, err
}

// parseCRAMMD5 splits the response at its last space into the username
// and the 16-byte digest.
func parseCRAMMD5(b []byte) (user string, digest []byte, err error) {
	s := string(b)
	sp := strings.LastIndexByte(s, ' ')
	if sp < 0 {
		return "", nil, fmt.Errorf("%w: CRAM-MD5 response needs \"user digest\"", ErrMalformed)
	}
	if err := checkIdentity("username", b[:sp], false); err != nil {
		return "", nil, err
	}
	digest, err = decodeDigest(s[sp+1:])
	if err != nil {
		return "", nil, err
	}
	return s[:sp], digest, nil
}

// decodeDigest decodes a 32-digit hex MD5 digest, either case.
func decodeDigest(h string) ([]byte, error) {
	d, err := hex.DecodeString(h)
	if err != nil || len(d) != md5.Size {
		return nil, fmt.Errorf("%w: digest must be 32 hex digits", ErrMalformed)
	}
	return d, nil
}

// newChallenge returns "<random.unixtime@servername>", the form of both
// the CRAM-MD5 challenge and the APOP timestamp.
func (a *Authenticator) newChallenge() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	return fmt.Sprintf("<%s.%d@%s>", hex.EncodeToString(b[:]), time.Now().Unix(), a.servername), nil
}

// secretLogin completes CRAM-MD5 and APOP: expected(secret) must equal
// digest.
func (a *Authenticator) secretLogin(ctx context.Context, conn ConnInfo, mech, login string,
	expected func(secret []byte) []byte, digest []byte) (*Result, error) {
	userid, err := a.canon.userid(login, conn.Domain)
	if err != nil {
		return nil, err
	}
	if userid == AnonymousUser {
		return nil, fmt.Errorf("%w: anonymous has no secret", ErrAuthFailed)
	}
	secret, err := a.lookupSecret(ctx, userid)
	if err != nil {
		return nil, err
	}
	want := expected(secret)
	clear(secret)
	if subtle.ConstantTimeCompare(want, digest) != 1 {
		return nil, fmt.Errorf("%w: %s: wrong digest", ErrAuthFailed, userid)
	}
	res := a.resultFor(mech, userid, userid)
	return &res, nil
}
