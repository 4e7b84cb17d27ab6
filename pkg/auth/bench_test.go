package auth

import (
	"context"
	"testing"

	"github.com/emersion/go-sasl"
)

// BenchmarkCheckPasswordAuxprop: a repeated IMAP LOGIN against the sasldb,
// which the verified cache answers after the first (a sasldb read and two
// SHA-256 sums).
func BenchmarkCheckPasswordAuxprop(b *testing.B) {
	a := newTestAuth(b, testConfig(b), Options{SASLDB: testSasldb(b, map[string]string{"alice": "pw"})})
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.CheckPassword(ctx, tlsConn, "alice", "pw"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckPasswordAuxpropFirst: a user's first LOGIN in the process
// (a PBKDF2-SHA-256 derivation of 4096 rounds dominates).
func BenchmarkCheckPasswordAuxpropFirst(b *testing.B) {
	a := newTestAuth(b, testConfig(b), Options{SASLDB: testSasldb(b, map[string]string{"alice": "pw"})})
	verified := a.checker.(checkerList)[0].(sasldbChecker).verified
	ctx := context.Background()
	for b.Loop() {
		verified.forget("alice")
		if _, err := a.CheckPassword(ctx, tlsConn, "alice", "pw"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainExchange: a whole SASL PLAIN exchange with SASL-IR.
func BenchmarkPlainExchange(b *testing.B) {
	a := newTestAuth(b, testConfig(b, "sasl_pwcheck_method", "alwaystrue"), Options{})
	for b.Loop() {
		if _, err := runSASL(b, a, tlsConn, sasl.NewPlainClient("", "alice", "pw"), true); err != nil {
			b.Fatal(err)
		}
	}
}
