package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"slices"
	"strings"
	"testing"
)

func TestMechanismsAdvertised(t *testing.T) {
	store := testSasldb(t, nil)
	fakeSecrets := mapSecrets{}
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "alice"}}
	certConn := ConnInfo{TLS: &tls.ConnectionState{HandshakeComplete: true, VerifiedChains: [][]*x509.Certificate{{cert}}}}
	unverified := ConnInfo{TLS: &tls.ConnectionState{HandshakeComplete: true, PeerCertificates: []*x509.Certificate{cert}}}
	tests := []struct {
		name    string
		kv      []string
		secrets PlainSecretSource
		conn    ConnInfo
		want    string
	}{
		{"auxprop, no TLS", nil, nil, plainConn, "SCRAM-SHA-256 SCRAM-SHA-1"},
		{"auxprop, TLS", nil, nil, tlsConn, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"},
		{"allowplaintext", []string{"allowplaintext", "1"}, nil, plainConn, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"},
		{"tls_required, no TLS", []string{"tls_required", "1", "allowplaintext", "1"}, nil, plainConn, ""},
		{"tls_required, TLS", []string{"tls_required", "1"}, nil, tlsConn, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"},
		{"saslauthd: no SCRAM", []string{"sasl_pwcheck_method", "saslauthd"}, nil, tlsConn, "PLAIN LOGIN"},
		{"saslauthd then auxprop", []string{"sasl_pwcheck_method", "saslauthd auxprop"}, nil, plainConn, "SCRAM-SHA-256 SCRAM-SHA-1"},
		{"alwaystrue", []string{"sasl_pwcheck_method", "alwaystrue"}, nil, plainConn, ""},
		{"anonymous", []string{"allowanonymouslogin", "1"}, nil, plainConn, "SCRAM-SHA-256 SCRAM-SHA-1 ANONYMOUS"},
		{"secrets give CRAM-MD5", nil, fakeSecrets, plainConn, "SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5"},
		{"verified certificate", nil, nil, certConn, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN EXTERNAL"},
		{"unverified certificate", nil, nil, unverified, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"},
		{"mech_list order and filter", []string{"sasl_mech_list", "login plain cram-md5 digest-md5 scram-sha-1"}, nil, tlsConn, "LOGIN PLAIN SCRAM-SHA-1"},
		{"mech_list hides plaintext without TLS", []string{"sasl_mech_list", "PLAIN LOGIN"}, nil, plainConn, ""},
		{"sasl_minimum_layer without TLS", []string{"sasl_minimum_layer", "128", "allowplaintext", "1"}, nil, plainConn, ""},
		{"sasl_minimum_layer met by AES-128", []string{"sasl_minimum_layer", "128"}, nil, aes128Conn, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"},
		{"sasl_minimum_layer above AES-128", []string{"sasl_minimum_layer", "256"}, nil, aes128Conn, ""},
		{"sasl_minimum_layer met by AES-256", []string{"sasl_minimum_layer", "256"}, nil, aes256Conn, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAuth(t, testConfig(t, tc.kv...), Options{SASLDB: store, Service: "imap", Secrets: tc.secrets})
			got := strings.Join(a.MechanismsFor(tc.conn), " ")
			if got != tc.want {
				t.Errorf("MechanismsFor = %q, want %q", got, tc.want)
			}
			// Every mechanism not advertised is refused by Start.
			for _, m := range defaultMechOrder {
				_, err := a.Start(context.Background(), m, tc.conn)
				if slices.Contains(a.MechanismsFor(tc.conn), m) != (err == nil) {
					t.Errorf("Start(%s): %v, advertised %v", m, err, a.MechanismsFor(tc.conn))
				}
			}
		})
	}
}

var (
	aes128Conn = ConnInfo{TLS: &tls.ConnectionState{HandshakeComplete: true, CipherSuite: tls.TLS_AES_128_GCM_SHA256}}
	aes256Conn = ConnInfo{TLS: &tls.ConnectionState{HandshakeComplete: true, CipherSuite: tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}
)

// Below sasl_minimum_layer a plaintext login is refused too.
func TestMinimumLayerRefusesPasswords(t *testing.T) {
	a := newTestAuth(t, testConfig(t, "sasl_minimum_layer", "256"), Options{SASLDB: testSasldb(t, nil)})
	if a.PlaintextAllowed(false) {
		t.Error("plaintext allowed without TLS under sasl_minimum_layer")
	}
	_, err := a.CheckPassword(context.Background(), aes128Conn, "alice", "secret")
	wantErr(t, "LOGIN over AES-128 with sasl_minimum_layer 256", err, ErrTLSRequired)
}

func TestStartRefusals(t *testing.T) {
	a := newTestAuth(t, testConfig(t), Options{SASLDB: testSasldb(t, nil)})
	ctx := context.Background()
	_, err := a.Start(ctx, "plain", plainConn)
	wantErr(t, "PLAIN without TLS", err, ErrTLSRequired)
	_, err = a.Start(ctx, "DIGEST-MD5", tlsConn)
	wantErr(t, "DIGEST-MD5", err, ErrMechanismUnavailable)
	_, err = a.Start(ctx, "CRAM-MD5", tlsConn)
	wantErr(t, "CRAM-MD5 without secrets", err, ErrMechanismUnavailable)
	if ex, err := a.Start(ctx, "plain", tlsConn); err != nil || ex.Mechanism() != MechPlain {
		t.Fatalf("Start(plain) under TLS: %v", err)
	}
	if a.PlaintextAllowed(false) || !a.PlaintextAllowed(true) {
		t.Error("PlaintextAllowed without allowplaintext")
	}
}

func TestNewErrors(t *testing.T) {
	store := testSasldb(t, nil)
	tests := []struct {
		kv   []string
		opts Options
		want string
	}{
		{[]string{"sasl_pwcheck_method", "kerberos"}, Options{SASLDB: store}, `unknown sasl_pwcheck_method "kerberos"`},
		{[]string{"sasl_pwcheck_method", "auxprop bogus"}, Options{SASLDB: store}, `"bogus"`},
		{nil, Options{}, "needs the sasldb"},
		{[]string{"sasl_pwcheck_method", "saslauthd"}, Options{}, "needs a service name"},
		{[]string{"sasl_mech_list", "DIGEST-MD5"}, Options{SASLDB: store}, "names no known mechanism"},
	}
	for _, tc := range tests {
		_, err := New(testConfig(t, tc.kv...), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v): %v, want %q", tc.kv, err, tc.want)
		}
	}
}
