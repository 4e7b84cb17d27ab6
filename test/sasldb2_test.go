package test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// A sasldb2 written by the real saslpasswd2 (Debian's Cyrus SASL, Berkeley
// DB hash) is imported by `saslpasswd -i` from sasl_sasldb_path, and its
// users log in over IMAP with their passwords: LOGIN and AUTHENTICATE
// PLAIN; a wrong password still fails. Users of servername's realm log in
// bare, the others as user@realm, which loginrealms maps to the bare user.
func TestSasldb2Import(t *testing.T) {
	fixture, err := filepath.Abs("../pkg/bdbhash/testdata/sasldb2")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, "allowplaintext: yes", "servername: mail.example.com", "loginrealms: example.org",
		"sasl_sasldb_path: "+fixture)
	addr := startImapd(t, s) // sets alice's password to "secret"
	out := s.must("", "saslpasswd", "-i")
	if out != "alice\nbob\ncarol\n" {
		t.Fatalf("imported users: %q", out)
	}
	// Importing again changes nothing.
	if again := s.must("", "saslpasswd", "-i", fixture); again != out {
		t.Fatalf("second import: %q", again)
	}
	login := func(user, pw string, plain bool) error {
		c, err := imapclient.DialInsecure(addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if plain {
			return c.Authenticate(sasl.NewPlainClient("", user, pw))
		}
		return c.Login(user, pw).Wait()
	}
	for _, tc := range []struct {
		user, pw string
		ok       bool
	}{
		{"alice", "Alice-pw1", true},
		{"bob", "b0b secret", true},
		{"carol@example.org", "carol pw", true},
		{"alice", "secret", false},
		{"bob", "B0B SECRET", false},
		{"carol@example.org", "wrong", false},
	} {
		for _, plain := range []bool{false, true} {
			if plain && !tc.ok {
				continue // each failure costs the failed-login delay
			}
			err := login(tc.user, tc.pw, plain)
			if (err == nil) != tc.ok {
				t.Errorf("%s/%q (PLAIN %v): %v, want success %v", tc.user, tc.pw, plain, err, tc.ok)
			}
		}
	}
}

// A damaged or missing file is a clear error and imports nobody.
func TestSasldb2ImportRefusesDamage(t *testing.T) {
	s := newSite(t)
	r := s.run("", "saslpasswd", "-i", filepath.Join(s.dir, "nonexistent"))
	if r.code == 0 || !strings.Contains(r.stderr, "no such file") {
		t.Fatalf("missing file: %+v", r)
	}
	r = s.run("", "saslpasswd", "-i", s.imapdConf)
	if r.code == 0 || !strings.Contains(r.stderr, "not a readable Berkeley DB hash file") {
		t.Fatalf("not a sasldb2: %+v", r)
	}
	if r.stdout != "" {
		t.Fatalf("users imported from a bad file: %q", r.stdout)
	}
}

// Where a record's realm can log in decides its userid: without
// loginrealms carol@example.org cannot, and is skipped by name; with
// virtdomains she is carol@example.org.
func TestSasldb2ImportRealms(t *testing.T) {
	fixture, err := filepath.Abs("../pkg/bdbhash/testdata/sasldb2")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, "servername: mail.example.com")
	r := s.run("", "saslpasswd", "-i", fixture)
	if r.code != 0 || r.stdout != "alice\nbob\n" || !strings.Contains(r.stderr, "carol@example.org cannot log in here") {
		t.Fatalf("without loginrealms: %+v", r)
	}
	s = newSite(t, "virtdomains: userid")
	if out := s.must("", "saslpasswd", "-i", "-u", "mail.example.com", fixture); out != "alice\nbob\ncarol@example.org\n" {
		t.Fatalf("virtdomains: %q", out)
	}
}
