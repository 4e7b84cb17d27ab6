package auth

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestUserid(t *testing.T) {
	off := []string{"loginrealms", "EXAMPLE.ORG corp.test"}
	userid := []string{"virtdomains", "userid", "defaultdomain", "main.test"}
	on := []string{"virtdomains", "on", "defaultdomain", "main.test"}
	keepCase := []string{"username_tolower", "0"}
	tests := []struct {
		name   string
		kv     []string
		login  string
		domain string // ConnInfo.Domain
		want   string // "" = refused
	}{
		{"plain", nil, "alice", "", "alice"},
		{"lower-cased", nil, "AlIcE", "", "alice"},
		{"case kept", keepCase, "AlIcE", "", "AlIcE"},
		{"only ASCII folded", nil, "ÄLICE", "", "Älice"},
		{"anonymous", nil, "AnonyMous", "", AnonymousUser},
		{"anyone refused", nil, "anyone", "", ""},
		{"anybody refused", nil, "Anybody", "", ""},
		{"group refused", nil, "group:staff", "", ""},
		{"empty", nil, "", "", ""},
		{"control char", nil, "al\x01ice", "", ""},
		{"not UTF-8", nil, "al\xffice", "", ""},
		{"slash", nil, "a/b", "", ""},
		{"off: realm stripped when listed", off, "alice@example.org", "", "alice"},
		{"off: listed realm any case", off, "alice@Corp.Test", "", "alice"},
		{"off: other realm refused", off, "alice@evil.test", "", ""},
		{"off: no loginrealms", nil, "alice@example.org", "", ""},
		{"off: percent kept", nil, "alice%x", "", "alice%x"},
		{"userid: domain kept", userid, "bob@Example.COM", "", "bob@example.com"},
		{"userid: percent form", userid, "bob%example.com", "", "bob@example.com"},
		{"userid: default domain stripped", userid, "bob@MAIN.test", "", "bob"},
		{"userid: unqualified", userid, "bob", "ignored.test", "bob"},
		{"userid: case kept", append(keepCase, userid...), "Bob@Example.com", "", "Bob@example.com"},
		{"on: connection domain", on, "bob", "Example.com", "bob@example.com"},
		{"on: connection default domain", on, "bob", "main.test", "bob"},
		{"on: explicit domain wins", on, "bob@other.test", "example.com", "bob@other.test"},
		{"on: anonymous stays", on, "anonymous", "example.com", AnonymousUser},
		{"userid: bad domain", userid, "bob@bad..domain", "", ""},
		{"userid: anyone@dom", userid, "anyone@example.com", "", ""},
		{"userid: empty domain", userid, "bob@", "", ""},
		{"userid: empty local part", userid, "%example.com", "", ""},
		{"userid: only separators", userid, "%%", "", ""},
		{"userid: percent left in the user part", userid, "a%b%example.com", "", ""},
		{"off: '@' left in the user part", off, "a@b@example.org", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCanonicalizer(testConfig(t, tc.kv...))
			got, err := c.userid(tc.login, tc.domain)
			if tc.want == "" {
				if !errors.Is(err, ErrAuthFailed) {
					t.Errorf("userid(%q) = %q, %v; want refusal", tc.login, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("userid(%q) = %q, %v; want %q", tc.login, got, err, tc.want)
			}
		})
	}
}

func TestAuthorizePolicy(t *testing.T) {
	cfg := testConfig(t, "admins", "root dom@example.com bad/entry", "proxyservers", "front",
		"virtdomains", "userid")
	c := newCanonicalizer(cfg)
	p := newPolicy(cfg, c, discardLogger())
	tests := []struct {
		authc, authz string
		ok           bool
	}{
		{"alice", "alice", true},
		{"alice", "bob", false},
		{"root", "bob", true},
		{"root", "bob@example.com", true},
		{"front", "bob@other.test", true},
		{"front", "root", true},
		{"dom@example.com", "bob@example.com", true},
		{"dom@example.com", "bob", false},
		{"dom@example.com", "root", false},
		{"root", AnonymousUser, false},
	}
	for _, tc := range tests {
		err := p.authorize(tc.authc, tc.authz)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrNotAuthorized) {
			t.Errorf("authorize(%s, %s) = %v, want ok=%v", tc.authc, tc.authz, err, tc.ok)
		}
	}
	if !p.isAdmin("root") || !p.isAdmin("dom@example.com") || p.isAdmin("bad/entry") {
		t.Errorf("admins: %v", p.admins)
	}
}

func TestResultAdminScope(t *testing.T) {
	tests := []struct {
		r              Result
		global, domain bool
	}{
		{Result{User: "root", Admin: true}, true, true},
		{Result{User: "d@example.com", Admin: true}, false, true},
		{Result{User: "d@other.com", Admin: true}, false, false},
		{Result{User: "alice"}, false, false},
	}
	for _, tc := range tests {
		if tc.r.IsGlobalAdmin() != tc.global || tc.r.IsAdminFor("example.com") != tc.domain {
			t.Errorf("%+v: global %v, example.com %v", tc.r, tc.r.IsGlobalAdmin(), tc.r.IsAdminFor("example.com"))
		}
	}
}

// sasl_sasldb_path set: the daemons say once, at start, that the file is
// not read at login and how its users come across.
func TestSasldbPathWarning(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	newTestAuth(t, testConfig(t, "sasl_sasldb_path", "/etc/sasldb2"), Options{SASLDB: testSasldb(t, nil), Logger: log})
	if !strings.Contains(logs.String(), "saslpasswd -i") || !strings.Contains(logs.String(), "/etc/sasldb2") {
		t.Fatalf("no warning: %q", logs.String())
	}
	logs.Reset()
	newTestAuth(t, testConfig(t), Options{SASLDB: testSasldb(t, nil), Logger: log})
	if strings.Contains(logs.String(), "sasldb_path") {
		t.Fatalf("warning without the option: %q", logs.String())
	}
}
