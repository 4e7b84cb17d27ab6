package auth

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
)

var testUsers = map[string]string{"alice": "wonder land", "admin": "root pw", "proxy": "px", "bob@example.com": "bobpw", "dadmin@example.com": "dpw"}

func passwordAuth(t *testing.T, kv ...string) *Authenticator {
	t.Helper()
	kv = append([]string{"admins", "admin dadmin@example.com", "proxyservers", "proxy"}, kv...)
	return newTestAuth(t, testConfig(t, kv...), Options{SASLDB: testSasldb(t, testUsers)})
}

func TestPlainAndLogin(t *testing.T) {
	a := passwordAuth(t)
	tests := []struct {
		name          string
		authz, authc  string
		pw            string
		want          error
		user, authusr string
		admin         bool
	}{
		{"good", "", "alice", "wonder land", nil, "alice", "alice", false},
		{"case folded", "", "ALICE", "wonder land", nil, "alice", "alice", false},
		{"authz = authc", "alice", "alice", "wonder land", nil, "alice", "alice", false},
		{"wrong password", "", "alice", "wonder", ErrAuthFailed, "", "", false},
		{"unknown user", "", "carol", "x", ErrAuthFailed, "", "", false},
		{"admin", "", "admin", "root pw", nil, "admin", "admin", true},
		{"admin acts as alice", "alice", "admin", "root pw", nil, "alice", "admin", false},
		{"proxy acts as alice", "alice", "proxy", "px", nil, "alice", "proxy", false},
		{"user may not act as another", "admin", "alice", "wonder land", ErrNotAuthorized, "", "", false},
		{"nobody acts as anonymous", "anonymous", "admin", "root pw", ErrNotAuthorized, "", "", false},
		{"bad authz", "group:staff", "admin", "root pw", ErrNotAuthorized, "", "", false},
		{"realm refused", "", "alice@elsewhere", "wonder land", ErrAuthFailed, "", "", false},
		{"anonymous has no password", "", "anonymous", "x", ErrAuthFailed, "", "", false},
	}
	for _, tc := range tests {
		for _, ir := range []bool{true, false} {
			res, err := runSASL(t, a, tlsConn, sasl.NewPlainClient(tc.authz, tc.authc, tc.pw), ir)
			wantErr(t, "PLAIN "+tc.name, err, tc.want)
			if err == nil && (res.User != tc.user || res.AuthUser != tc.authusr || res.Admin != tc.admin || res.Mechanism != MechPlain) {
				t.Errorf("PLAIN %s: %+v", tc.name, res)
			}
			if tc.authz != "" {
				continue // LOGIN has no authorization identity
			}
			res, err = runSASL(t, a, tlsConn, sasl.NewLoginClient(tc.authc, tc.pw), ir)
			wantErr(t, "LOGIN "+tc.name, err, tc.want)
			if err == nil && (res.User != tc.user || res.Admin != tc.admin || res.Mechanism != MechLogin) {
				t.Errorf("LOGIN %s: %+v", tc.name, res)
			}
		}
	}
}

func TestDomainAdminProxy(t *testing.T) {
	a := passwordAuth(t, "virtdomains", "userid", "defaultdomain", "local.test")
	for _, tc := range []struct {
		authz string
		want  error
	}{
		{"bob@example.com", nil},
		{"bob%EXAMPLE.com", nil},
		{"alice", ErrNotAuthorized},
		{"carol@other.org", ErrNotAuthorized},
	} {
		res, err := runSASL(t, a, tlsConn, sasl.NewPlainClient(tc.authz, "dadmin@example.com", "dpw"), true)
		wantErr(t, tc.authz, err, tc.want)
		if err == nil && (res.User != "bob@example.com" || res.AuthUser != "dadmin@example.com" || res.Admin) {
			t.Errorf("%s: %+v", tc.authz, res)
		}
	}
	res, err := runSASL(t, a, tlsConn, sasl.NewPlainClient("", "dadmin@example.com", "dpw"), true)
	if err != nil || !res.Admin || !res.IsAdminFor("example.com") || res.IsAdminFor("") || res.IsGlobalAdmin() {
		t.Errorf("domain admin: %+v %v", res, err)
	}
	res, err = runSASL(t, a, tlsConn, sasl.NewPlainClient("", "admin@local.test", "root pw"), true)
	if err != nil || res.User != "admin" || !res.IsGlobalAdmin() || !res.IsAdminFor("example.com") {
		t.Errorf("global admin with default domain: %+v %v", res, err)
	}
}

func TestCheckPassword(t *testing.T) {
	ctx := context.Background()
	a := passwordAuth(t)
	res, err := a.CheckPassword(ctx, tlsConn, "Alice", "wonder land")
	if err != nil || res.User != "alice" || res.Mechanism != MechPassword {
		t.Fatalf("good login: %+v %v", res, err)
	}
	_, err = a.CheckPassword(ctx, tlsConn, "alice", "nope")
	wantErr(t, "bad password", err, ErrAuthFailed)
	_, err = a.CheckPassword(ctx, plainConn, "alice", "wonder land")
	wantErr(t, "without TLS", err, ErrTLSRequired)
	_, err = a.CheckPassword(ctx, tlsConn, "anonymous", "x")
	wantErr(t, "anonymous refused", err, ErrAnonymousRefused)

	b := passwordAuth(t, "allowplaintext", "yes", "allowanonymouslogin", "yes")
	if _, err := b.CheckPassword(ctx, plainConn, "alice", "wonder land"); err != nil {
		t.Fatalf("allowplaintext: %v", err)
	}
	res, err = b.CheckPassword(ctx, plainConn, "Anonymous", "guest@example.com")
	if err != nil || !res.Anonymous || res.User != AnonymousUser {
		t.Fatalf("anonymous: %+v %v", res, err)
	}
}

func TestAlwaysTrueWarnsAndAccepts(t *testing.T) {
	var logs bytes.Buffer
	a, err := New(testConfig(t, "sasl_pwcheck_method", "alwaystrue"), Options{
		FailureDelay: NoFailureDelay, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "alwaystrue") {
		t.Errorf("no warning: %q", logs.String())
	}
	if res, err := a.CheckPassword(context.Background(), tlsConn, "whoever", "anything"); err != nil || res.User != "whoever" {
		t.Errorf("alwaystrue: %+v %v", res, err)
	}
}

func TestPasswordsNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	a, err := New(testConfig(t), Options{SASLDB: testSasldb(t, testUsers), FailureDelay: NoFailureDelay,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, pw := range []string{"wonder land", "SECRET-guess-1"} {
		_, err := a.CheckPassword(ctx, tlsConn, "alice", pw)
		if err != nil && strings.Contains(err.Error(), pw) {
			t.Errorf("error contains the password: %v", err)
		}
		_, err = runSASL(t, a, tlsConn, sasl.NewPlainClient("", "alice", pw), true)
		if err != nil && strings.Contains(err.Error(), pw) {
			t.Errorf("error contains the password: %v", err)
		}
	}
	if strings.Contains(logs.String(), "wonder land") || strings.Contains(logs.String(), "SECRET-guess") {
		t.Errorf("a password reached the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "auth: failed") {
		t.Errorf("failure not logged:\n%s", logs.String())
	}
}

func TestFailureDelay(t *testing.T) {
	a, err := New(testConfig(t), Options{SASLDB: testSasldb(t, testUsers), FailureDelay: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = a.CheckPassword(context.Background(), tlsConn, "alice", "wrong")
	wantErr(t, "wrong", err, ErrAuthFailed)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("failure reported after %v, want ≥ 20ms", d)
	}
	// A cancelled context cuts the delay short.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a.delay = time.Hour
	start = time.Now()
	_, _ = a.CheckPassword(ctx, tlsConn, "alice", "wrong")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancelled delay took %v", d)
	}
}

func TestExchangeMisuse(t *testing.T) {
	a := passwordAuth(t)
	ex, err := a.Start(context.Background(), MechPlain, tlsConn)
	if err != nil {
		t.Fatal(err)
	}
	_, done, err := ex.Next(make([]byte, maxClientMessage+1))
	if !done {
		t.Fatal("oversized message did not end the exchange")
	}
	wantErr(t, "oversized", err, ErrMalformed)
	_, _, err = ex.Next([]byte("\x00alice\x00wonder land"))
	wantErr(t, "after the end", err, ErrMalformed)
	if _, ok := ex.Result(); ok {
		t.Error("Result ok after failure")
	}
}
