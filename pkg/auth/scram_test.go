package auth

import (
	"context"
	"testing"

	"github.com/xdg-go/scram"
)

// runSCRAM drives a SCRAM exchange with xdg-go/scram's client.
func runSCRAM(t *testing.T, a *Authenticator, mech, user, password, authz string, useIR bool) (Result, error) {
	t.Helper()
	hash := scram.SHA256
	if mech == MechScramSHA1 {
		hash = scram.SHA1
	}
	client, err := hash.NewClient(user, password, authz)
	if err != nil {
		t.Fatal(err)
	}
	conv := client.NewConversation()
	ex, err := a.Start(context.Background(), mech, tlsConn)
	if err != nil {
		t.Fatal(err)
	}
	if !useIR {
		if chal, done, err := ex.Next(nil); len(chal) != 0 || done || err != nil {
			t.Fatalf("no-IR start: %q %v %v", chal, done, err)
		}
	}
	msg, err := conv.Step("")
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		chal, done, err := ex.Next([]byte(msg))
		if done {
			res, _ := ex.Result()
			if err == nil && !conv.Valid() {
				t.Fatal("server succeeded but the client did not verify it")
			}
			return res, err
		}
		if msg, err = conv.Step(string(chal)); err != nil {
			t.Fatalf("client rejects the server: %v", err)
		}
	}
	t.Fatal("SCRAM exchange does not end")
	return Result{}, nil
}

func TestSCRAM(t *testing.T) {
	a := passwordAuth(t)
	tests := []struct {
		name, user, pw, authz string
		want                  error
		wantUser              string
	}{
		{"good", "alice", "wonder land", "", nil, "alice"},
		{"case folded", "Alice", "wonder land", "", nil, "alice"},
		{"wrong password", "alice", "wonder", "", ErrAuthFailed, ""},
		{"unknown user fails at the proof", "nobody", "x", "", ErrAuthFailed, ""},
		{"admin acts as alice", "admin", "root pw", "alice", nil, "alice"},
		{"user may not act as another", "alice", "wonder land", "admin", ErrNotAuthorized, ""},
		{"realm refused", "alice@far.away", "wonder land", "", ErrAuthFailed, ""},
	}
	for _, mech := range []string{MechScramSHA256, MechScramSHA1} {
		for _, tc := range tests {
			for _, ir := range []bool{true, false} {
				res, err := runSCRAM(t, a, mech, tc.user, tc.pw, tc.authz, ir)
				wantErr(t, mech+" "+tc.name, err, tc.want)
				if err == nil && (res.User != tc.wantUser || res.Mechanism != mech) {
					t.Errorf("%s %s: %+v", mech, tc.name, res)
				}
			}
		}
	}
}

func TestSCRAMDecoyIsStable(t *testing.T) {
	a := passwordAuth(t)
	c1 := a.decoyCredentials(MechScramSHA256, scram.SHA256, "ghost")
	c2 := a.decoyCredentials(MechScramSHA256, scram.SHA256, "ghost")
	c3 := a.decoyCredentials(MechScramSHA256, scram.SHA256, "ghost2")
	if c1.Salt != c2.Salt || c1.Salt == c3.Salt || len(c1.StoredKey) != 32 {
		t.Errorf("decoys: %x %x %x", c1.Salt, c2.Salt, c3.Salt)
	}
	if c := a.decoyCredentials(MechScramSHA1, scram.SHA1, "ghost"); len(c.StoredKey) != 20 {
		t.Errorf("SHA-1 decoy key length %d", len(c.StoredKey))
	}
}

func TestSCRAMMalformed(t *testing.T) {
	a := passwordAuth(t)
	for _, msg := range []string{"", "garbage", "p=tls-unique,,n=alice,r=abc", "n,,n=alice"} {
		ex, err := a.Start(context.Background(), MechScramSHA256, tlsConn)
		if err != nil {
			t.Fatal(err)
		}
		_, done, err := ex.Next([]byte(msg))
		if !done || err == nil {
			t.Errorf("client-first %q: done %v err %v", msg, done, err)
		}
	}
}
