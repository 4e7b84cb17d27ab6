package pop3server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

func TestParseShowAfter(t *testing.T) {
	want := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"Fri, 01 Mar 2024 12:00:00 +0000", true}, // Cyrus's own form (RFC 5322)
		{"1 Mar 2024 13:00:00 +0100", true},
		{"2024-03-01T12:00:00Z", true},
		{"2024-03-01T14:00:00+02:00", true},
		{"2024-03-01T12:00:00", true},
		{"2024-03-01 12:00:00", true},
		{"01-Mar-2024 12:00:00 +0000", true},
		{" 2024-03-01T12:00:00Z\n", true},
		{"", false},
		{"yesterday", false},
		{"2024-13-01", false},
	} {
		got, err := parseShowAfter(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(want)) {
			t.Errorf("%q: %v %v", tc.in, got, err)
		}
	}
	if got, err := parseShowAfter("2024-03-01"); err != nil || !got.Equal(want.Add(-12*time.Hour)) {
		t.Errorf("bare date: %v %v", got, err)
	}
}

func FuzzParseShowAfter(f *testing.F) {
	for _, s := range []string{"Fri, 01 Mar 2024 12:00:00 +0000", "2024-03-01T12:00:00Z", "01-Mar-2024 12:00:00 +0000", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := parseShowAfter(s); err == nil && got.IsZero() {
			t.Errorf("%q: zero time without error", s)
		}
	})
}

// popSubfolders checks "user+folder" logins under one altnamespace
// setting: the folder is found in either namespace.
func popSubfolders(t *testing.T, alt string) {
	t.Helper()
	s := newTestSite(t, false, "popsubfolders", "1", "altnamespace", alt)
	if _, err := s.st.CreateMailbox(context.Background(), "user.alice.lists", store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s.appendMessages("Subject: inbox\r\n\r\nx\r\n")
	s.appendAt("user.alice.lists", time.Now(), time.Now())
	for _, tc := range []struct{ login, stat string }{
		{"alice", "+OK 1 "},
		{"alice+lists", "+OK 2 "},
		{"alice+nosuch", "-ERR [SYS/PERM] Unable to open maildrop: Mailbox does not exist"},
	} {
		c, _ := s.dial()
		c.cmd("USER " + tc.login)
		r := c.cmd("PASS secret")
		if strings.HasPrefix(tc.stat, "-ERR") {
			if r != tc.stat {
				t.Errorf("altnamespace %s, %s: PASS %q, want %q", alt, tc.login, r, tc.stat)
			}
			continue
		}
		if !strings.HasPrefix(r, "+OK Mailbox locked") {
			t.Fatalf("altnamespace %s, %s: PASS %q", alt, tc.login, r)
		}
		if r := c.cmd("STAT"); !strings.HasPrefix(r, tc.stat) {
			t.Errorf("altnamespace %s, %s: STAT %q, want %q...", alt, tc.login, r, tc.stat)
		}
		c.cmd("QUIT")
	}
}

// appendAt adds messages with the given internal dates to mailbox.
func (s *testSite) appendAt(mailboxName string, dates ...time.Time) []uint32 {
	s.t.Helper()
	mb, _, err := s.st.Open(context.Background(), mailboxName, quota.Ignore)
	if err != nil {
		s.t.Fatal(err)
	}
	defer mb.Close()
	var am []mailbox.AppendMessage
	for i, d := range dates {
		am = append(am, mailbox.AppendMessage{Body: strings.NewReader("Subject: m" + string(rune('0'+i)) + "\r\n\r\nbody\r\n"), InternalDate: d})
	}
	uids, err := mb.Append(context.Background(), am)
	if err != nil {
		s.t.Fatal(err)
	}
	return uids
}

// TestPop3ShowAfter: messages at or before pop3showafter are not in the
// maildrop; an unreadable value hides nothing.
func TestPop3ShowAfter(t *testing.T) {
	s := newTestSite(t, false)
	cut := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	uids := s.appendAt(s.inbox, cut.Add(-time.Hour), cut, cut.Add(time.Second), cut.Add(time.Hour))
	for _, tc := range []struct {
		value string
		want  []uint32 // UIDs in the maildrop
	}{
		{"", uids},
		{"Fri, 01 Mar 2024 12:00:00 +0000", uids[2:]},
		{"2024-03-01T13:00:00+01:00", uids[2:]},
		{"2024-03-01T12:30:00Z", uids[3:]},
		{"2030-01-01T00:00:00Z", nil},
		{"not a date", uids},
	} {
		var v []byte
		if tc.value != "" {
			v = []byte(tc.value)
		}
		if err := s.st.SetMetadata(context.Background(), s.inbox, showAfterEntry, "", v); err != nil {
			t.Fatal(err)
		}
		c, _ := s.dial()
		c.login()
		c.cmd("UIDL")
		var want strings.Builder
		for i, u := range tc.want {
			want.WriteString(itoa(i+1) + " " + uidl(s, u) + "\r\n")
		}
		if got := c.multi(); got != want.String() {
			t.Errorf("pop3showafter %q: UIDL\n%s\nwant\n%s", tc.value, got, want.String())
		}
		if r := c.cmd("STAT"); !strings.HasPrefix(r, "+OK "+itoa(len(tc.want))+" ") {
			t.Errorf("pop3showafter %q: STAT %q", tc.value, r)
		}
		c.cmd("QUIT")
	}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func uidl(s *testSite, uid uint32) string {
	return itoa(int(s.view().UIDValidity)) + "." + itoa(int(uid))
}

// TestPopSubfolders: with popsubfolders, "user+folder" logs in as user
// and serves INBOX.folder; without it the "+" is part of the name.
func TestPopSubfolders(t *testing.T) {
	for _, alt := range []string{"1", "0"} {
		popSubfolders(t, alt)
	}
	off := newTestSite(t, false)
	c, _ := off.dial()
	c.cmd("USER alice+lists")
	if r := c.cmd("PASS secret"); r != "-ERR [AUTH] Invalid login" {
		t.Errorf("without popsubfolders: %q", r)
	}
}

// TestAuthExternal: a client certificate verified against
// tls_client_ca_file logs in with AUTH EXTERNAL after STLS, as the
// certificate's Common Name.
func TestAuthExternal(t *testing.T) {
	dir := t.TempDir()
	caKey, caCert := newCA(t)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvDER := signCert(t, caCert, caKey, &srvKey.PublicKey, &x509.Certificate{Subject: pkix.Name{CommonName: "pop.test"},
		DNSNames: []string{"pop.test"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	writePEM(t, filepath.Join(dir, "server.pem"), srvDER, srvKey)
	writePEM(t, filepath.Join(dir, "ca.pem"), caCert.Raw, nil)
	s := newTestSite(t, false, "tls_server_cert", filepath.Join(dir, "server.pem"),
		"tls_client_ca_file", filepath.Join(dir, "ca.pem"), "allowplaintext", "0")
	s.appendMessages("Subject: one\r\n\r\nx\r\n")

	cliKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cliDER := signCert(t, caCert, caKey, &cliKey.PublicKey, &x509.Certificate{Subject: pkix.Name{CommonName: "alice"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	for _, tc := range []struct {
		name  string
		certs []tls.Certificate
		want  string
	}{
		{"with certificate", []tls.Certificate{{Certificate: [][]byte{cliDER}, PrivateKey: cliKey}}, "+OK Mailbox locked and ready"},
		{"without certificate", nil, "-ERR [AUTH] Invalid SASL mechanism"},
	} {
		c, _ := s.dial()
		if r := c.cmd("STLS"); !strings.HasPrefix(r, "+OK") {
			t.Fatalf("STLS: %q", r)
		}
		tc2 := tls.Client(c.conn, &tls.Config{RootCAs: pool, ServerName: "pop.test", Certificates: tc.certs})
		if err := tc2.Handshake(); err != nil {
			t.Fatalf("%s: handshake: %v", tc.name, err)
		}
		c.conn = tc2
		c.r.Reset(tc2)
		c.cmd("CAPA")
		capa := c.multi()
		if got := strings.Contains(capa, "EXTERNAL"); got != (tc.certs != nil) {
			t.Errorf("%s: CAPA\n%s", tc.name, capa)
		}
		if r := c.cmd("AUTH EXTERNAL ="); !strings.HasPrefix(r, tc.want) {
			t.Errorf("%s: AUTH EXTERNAL: %q, want %q", tc.name, r, tc.want)
		}
		if tc.certs != nil {
			if r := c.cmd("STAT"); !strings.HasPrefix(r, "+OK 1 ") {
				t.Errorf("STAT as alice: %q", r)
			}
		}
	}
}

func newCA(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

var serial int64 = 1

func signCert(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, pub *ecdsa.PublicKey, tmpl *x509.Certificate) []byte {
	t.Helper()
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, pub, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func writePEM(t *testing.T, path string, der []byte, key *ecdsa.PrivateKey) {
	t.Helper()
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if key != nil {
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})...)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

var _ net.Conn = (*tls.Conn)(nil)
