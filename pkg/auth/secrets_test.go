package auth

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// mapSecrets is a PlainSecretSource for tests.
type mapSecrets map[string]string

func (m mapSecrets) PlainSecret(_ context.Context, userid string) ([]byte, error) {
	if userid == "broken" {
		return nil, errors.New("backend down")
	}
	s, ok := m[userid]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoSecret, userid)
	}
	return []byte(s), nil
}

func secretAuth(t *testing.T, kv ...string) *Authenticator {
	kv = append([]string{"servername", "mail.test"}, kv...)
	return newTestAuth(t, testConfig(t, kv...), Options{SASLDB: testSasldb(t, nil), Secrets: mapSecrets{"alice": "tanstaaftanstaaf"}})
}

func cramResponse(user, secret, challenge string) string {
	mac := hmac.New(md5.New, []byte(secret))
	mac.Write([]byte(challenge))
	return user + " " + hex.EncodeToString(mac.Sum(nil))
}

func TestCRAMMD5(t *testing.T) {
	a := secretAuth(t)
	tests := []struct {
		user, secret string
		upper        bool
		want         error
	}{
		{"alice", "tanstaaftanstaaf", false, nil},
		{"ALICE", "tanstaaftanstaaf", true, nil},
		{"alice", "wrong", false, ErrAuthFailed},
		{"nobody", "x", false, ErrAuthFailed},
		{"broken", "x", false, ErrUnavailable},
	}
	for _, tc := range tests {
		ex, err := a.Start(context.Background(), "cram-md5", plainConn)
		if err != nil {
			t.Fatal(err)
		}
		chal, done, err := ex.Next(nil)
		if err != nil || done || !strings.HasPrefix(string(chal), "<") || !strings.HasSuffix(string(chal), "@mail.test>") {
			t.Fatalf("challenge %q %v %v", chal, done, err)
		}
		resp := cramResponse(tc.user, tc.secret, string(chal))
		if tc.upper {
			resp = strings.ToUpper(resp)
		}
		_, done, err = ex.Next([]byte(resp))
		wantErr(t, "CRAM-MD5 "+tc.user, err, tc.want)
		if res, ok := ex.Result(); !done || ok != (tc.want == nil) || ok && res.User != "alice" {
			t.Errorf("%s: %+v %v", tc.user, res, ok)
		}
	}
	ex, _ := a.Start(context.Background(), "CRAM-MD5", plainConn)
	_, _, err := ex.Next([]byte("alice 0123"))
	wantErr(t, "initial response", err, ErrMalformed)
}

func TestAPOP(t *testing.T) {
	ctx := context.Background()
	a := secretAuth(t)
	if !a.APOPAvailable(plainConn) {
		t.Fatal("APOP not available with a secret source")
	}
	chal, err := a.APOPChallenge()
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(chal + "tanstaaftanstaaf"))
	res, err := a.CheckAPOP(ctx, plainConn, chal, "alice", hex.EncodeToString(sum[:]))
	if err != nil || res.User != "alice" || res.Mechanism != MechAPOP {
		t.Fatalf("APOP: %+v %v", res, err)
	}
	// RFC 1939's example.
	rfc := "<1896.697170952@dbc.mtview.ca.us>"
	b := newTestAuth(t, testConfig(t), Options{SASLDB: testSasldb(t, nil), Secrets: mapSecrets{"mrose": "tanstaaf"}})
	if _, err := b.CheckAPOP(ctx, plainConn, rfc, "mrose", "c4c9334bac560ecc979e58001b3e22fb"); err != nil {
		t.Fatalf("RFC 1939 example: %v", err)
	}
	_, err = a.CheckAPOP(ctx, plainConn, chal, "alice", strings.Repeat("0", 32))
	wantErr(t, "wrong digest", err, ErrAuthFailed)
	_, err = a.CheckAPOP(ctx, plainConn, chal, "alice", "xyz")
	wantErr(t, "bad digest", err, ErrMalformed)

	off := secretAuth(t, "allowapop", "0")
	_, err = off.CheckAPOP(ctx, plainConn, chal, "alice", hex.EncodeToString(sum[:]))
	wantErr(t, "allowapop off", err, ErrMechanismUnavailable)
	none := passwordAuth(t)
	if none.APOPAvailable(tlsConn) {
		t.Error("APOP offered without a secret source")
	}
}
