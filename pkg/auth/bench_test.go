package auth

import (
	"context"
	"testing"

	"github.com/emersion/go-sasl"
)

// BenchmarkCheckPasswordAuxprop: one IMAP LOGIN against the sasldb (a
// PBKDF2-SHA-256 derivation of 4096 rounds dominates).
func BenchmarkCheckPasswordAuxprop(b *testing.B) {
	a := newTestAuth(b, testConfig(b), Options{SASLDB: testSasldb(b, map[string]string{"alice": "pw"})})
	ctx := context.Background()
	for b.Loop() {
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
