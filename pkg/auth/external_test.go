package auth

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"

	"github.com/emersion/go-sasl"
)

func TestExternal(t *testing.T) {
	pki := newTestPKI(t)
	a := passwordAuth(t)
	aliceCert := pki.cert(t, "Alice", nil, x509.ExtKeyUsageClientAuth)
	adminCert := pki.cert(t, "admin", nil, x509.ExtKeyUsageClientAuth)
	emailCert := pki.cert(t, "", []string{"alice"}, x509.ExtKeyUsageClientAuth)
	conn := func(c *tls.Certificate) ConnInfo { return ConnInfo{TLS: pki.handshake(t, c)} }

	tests := []struct {
		name  string
		conn  ConnInfo
		authz string
		want  error
		user  string
	}{
		{"CN", conn(&aliceCert), "", nil, "alice"},
		{"CN with own authzid", conn(&aliceCert), "alice", nil, "alice"},
		{"email SAN when no CN", conn(&emailCert), "", nil, "alice"},
		{"admin acts as alice", conn(&adminCert), "alice", nil, "alice"},
		{"user may not act as admin", conn(&aliceCert), "admin", ErrNotAuthorized, ""},
		{"no certificate", conn(nil), "", ErrMechanismUnavailable, ""},
	}
	for _, tc := range tests {
		for _, ir := range []bool{true, false} {
			res, err := runSASL(t, a, tc.conn, sasl.NewExternalClient(tc.authz), ir)
			wantErr(t, tc.name, err, tc.want)
			if err == nil && (res.User != tc.user || res.Mechanism != MechExternal) {
				t.Errorf("%s: %+v", tc.name, res)
			}
		}
	}
}

func TestExternalIdentity(t *testing.T) {
	chain := func(c *x509.Certificate) ConnInfo {
		return ConnInfo{TLS: &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{c}}}}
	}
	tests := []struct {
		conn ConnInfo
		name string
		ok   bool
	}{
		{ConnInfo{}, "", false},
		{ConnInfo{TLS: &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{Subject: pkix.Name{CommonName: "x"}}}}}, "", false},
		{chain(&x509.Certificate{Subject: pkix.Name{CommonName: "bob"}, EmailAddresses: []string{"b@x"}}), "bob", true},
		{chain(&x509.Certificate{EmailAddresses: []string{"b@x"}}), "b@x", true},
		{chain(&x509.Certificate{}), "", false},
	}
	for i, tc := range tests {
		if name, ok := tc.conn.ExternalIdentity(); name != tc.name || ok != tc.ok {
			t.Errorf("%d: %q %v", i, name, ok)
		}
	}
}

func TestAnonymous(t *testing.T) {
	a := passwordAuth(t, "allowanonymouslogin", "1")
	for _, ir := range []bool{true, false} {
		res, err := runSASL(t, a, plainConn, sasl.NewAnonymousClient("guest@example.com"), ir)
		if err != nil || !res.Anonymous || res.User != AnonymousUser || res.Admin || res.Mechanism != MechAnonymous {
			t.Errorf("ANONYMOUS: %+v %v", res, err)
		}
	}
	b := passwordAuth(t)
	_, err := runSASL(t, b, tlsConn, sasl.NewAnonymousClient(""), true)
	wantErr(t, "ANONYMOUS without allowanonymouslogin", err, ErrMechanismUnavailable)
}
