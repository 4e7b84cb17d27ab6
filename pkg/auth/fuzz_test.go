package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzSaslauthdReply(f *testing.F) {
	for _, s := range []string{"\x00\x02OK", "\x00\x18NO \"authentication failed\"", "\x00\x02NO", "\x00", "", "\xff\xffOK", "\x00\x03OK\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ok, reason, err := readSaslauthdReply(bytes.NewReader(b))
		if err != nil {
			if ok || reason != "" {
				t.Fatalf("error with a verdict: %v %q", ok, reason)
			}
			return
		}
		if len(b) < 4 || ok != (string(b[2:4]) == "OK") {
			t.Fatalf("verdict %v for %q", ok, b)
		}
	})
}

func FuzzSaslauthdRequest(f *testing.F) {
	f.Add("alice", "pw", "imap", "")
	f.Add("", "", "", "realm")
	f.Fuzz(func(t *testing.T, login, pw, service, realm string) {
		req, err := appendSaslauthdRequest(nil, login, pw, service, realm)
		if err != nil {
			return
		}
		r := bytes.NewReader(req)
		for _, want := range []string{login, pw, service, realm} {
			got, err := readField(r)
			if err != nil || got != want {
				t.Fatalf("field %q, want %q (%v)", got, want, err)
			}
		}
		if r.Len() != 0 {
			t.Fatalf("%d bytes left over", r.Len())
		}
	})
}

func FuzzParsePlain(f *testing.F) {
	for _, s := range []string{"\x00alice\x00pw", "admin\x00alice\x00pw", "alice\x00pw", "\x00\x00", "a\x00b\x00c\x00d", "\x00\xff\x00pw", "\x00alice\x00\xe9t\xe9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		authz, authc, pw, err := parsePlain(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if len(pw) > 0 && strings.Contains(err.Error(), pw) {
				t.Fatal("error reveals the password")
			}
			return
		}
		if authz+"\x00"+authc+"\x00"+pw != string(b) {
			t.Fatalf("fields %q %q %q do not rebuild %q", authz, authc, pw, b)
		}
		if authc == "" || pw == "" || !utf8.ValidString(authz) || !utf8.ValidString(authc) {
			t.Fatalf("accepted %q", b)
		}
	})
}

func FuzzLoginMessages(f *testing.F) {
	for _, s := range []string{"alice", "", "al\x00ice", "\xff", strings.Repeat("a", 300)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if u, err := parseLoginUsername(b); err == nil {
			if u != string(b) || u == "" || !utf8.ValidString(u) || strings.ContainsRune(u, 0) {
				t.Fatalf("username %q accepted", b)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
		if p, err := parseLoginPassword(b); err == nil {
			if p != string(b) || p == "" || strings.ContainsRune(p, 0) {
				t.Fatalf("password %q accepted", b)
			}
		} else if !errors.Is(err, ErrMalformed) || (len(b) > 3 && strings.Contains(err.Error(), string(b))) {
			t.Fatal(err)
		}
	})
}

func FuzzParseCRAMMD5(f *testing.F) {
	for _, s := range []string{"tim b913a602c7eda7a495b4e6e7334d3890", "tim", " b913a602c7eda7a495b4e6e7334d3890", "a b c 00000000000000000000000000000000", "tim B913A602C7EDA7A495B4E6E7334D3890"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		user, digest, err := parseCRAMMD5(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatal(err)
			}
			return
		}
		if user == "" || len(digest) != 16 || !strings.HasPrefix(string(b), user+" ") {
			t.Fatalf("%q → %q %x", b, user, digest)
		}
	})
}

func FuzzUserid(f *testing.F) {
	for _, s := range []string{"alice", "Bob@Example.COM", "x%y", "anyone", "group:g", "a@b@c", "@", "anonymous"} {
		f.Add(s)
	}
	cfgs := []canonicalizer{
		newCanonicalizer(testConfig(f, "loginrealms", "example.com")),
		newCanonicalizer(testConfig(f, "virtdomains", "userid", "defaultdomain", "example.com")),
	}
	f.Fuzz(func(t *testing.T, login string) {
		for _, c := range cfgs {
			u, err := c.userid(login, "")
			if err != nil {
				if !errors.Is(err, ErrAuthFailed) {
					t.Fatal(err)
				}
				continue
			}
			// Canonical ids are fixed points.
			if again, err := c.userid(u, ""); err != nil || again != u {
				t.Fatalf("%q → %q → %q, %v", login, u, again, err)
			}
		}
	})
}
