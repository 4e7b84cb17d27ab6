package imapserver

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
)

var genURLAuthLine = regexp.MustCompile(`^\* GENURLAUTH "([^"]+:internal:[0-9a-f]{40})"$`)

// genURLAuth runs GENURLAUTH for one rump and returns the URL.
func genURLAuth(t *testing.T, c *conv, rump string) string {
	t.Helper()
	u := c.ok(`GENURLAUTH "` + rump + `" INTERNAL`)
	if len(u) != 1 || !genURLAuthLine.MatchString(u[0]) {
		t.Fatalf("GENURLAUTH %q: %q", rump, u)
	}
	url := genURLAuthLine.FindStringSubmatch(u[0])[1]
	if !strings.HasPrefix(url, rump+":internal:") {
		t.Fatalf("GENURLAUTH gave %q for %q", url, rump)
	}
	return url
}

// urlFetch returns the one URLFETCH response line.
func urlFetch(t *testing.T, c *conv, url string) string {
	t.Helper()
	u := c.ok(`URLFETCH "` + url + `"`)
	if len(u) != 1 {
		t.Fatalf("URLFETCH: %q", u)
	}
	return u[0]
}

// TestURLAuthRFC4467Example follows RFC 4467 §9: the user makes a
// submit+ URL with GENURLAUTH; only the submission server
// (submitservers) may URLFETCH it, and gets the part; the user's own
// URLFETCH of it gives NIL. RESETKEY then invalidates the URL.
func TestURLAuthRFC4467Example(t *testing.T) {
	s := newTestSite(t, "submitservers", "bob")
	msg := testMessage("urlauth")
	s.deliver("user.alice", msg)
	a := s.login("alice")
	if c := a.ok("CAPABILITY")[0]; !strings.Contains(c, " URLAUTH ") {
		t.Fatalf("URLAUTH not advertised: %q", c)
	}
	rump := "imap://alice@imap.test/INBOX/;uid=1/;section=1;urlauth=submit+alice"
	url := genURLAuth(t, a, rump)
	// The same rump gives the same URL while the key lasts.
	if again := genURLAuth(t, a, rump); again != url {
		t.Fatalf("GENURLAUTH not stable: %q then %q", url, again)
	}
	_, text, _ := strings.Cut(msg, "\r\n\r\n")
	submit := s.login("bob")
	if got, want := urlFetch(t, submit, url), `* URLFETCH "`+url+`" {`+itoa(len(text))+"}\r\n"+text; got != want {
		t.Fatalf("submit server URLFETCH: %q, want %q", got, want)
	}
	if got := urlFetch(t, a, url); got != `* URLFETCH "`+url+`" NIL` {
		t.Fatalf("non-submit URLFETCH of a submit+ URL: %q", got)
	}
	// Several URLs in one command, one of them bad.
	u := submit.ok(`URLFETCH "` + url + `" "imap://alice@imap.test/INBOX/;uid=1;urlauth=anonymous:internal:` + strings.Repeat("0", 40) + `"`)
	if len(u) != 1 || !strings.HasSuffix(u[0], `:internal:`+strings.Repeat("0", 40)+`" NIL`) {
		t.Fatalf("two URLs: %q", u)
	}
	a.ok("RESETKEY")
	if got := urlFetch(t, submit, url); got != `* URLFETCH "`+url+`" NIL` {
		t.Fatalf("URLFETCH after RESETKEY: %q", got)
	}
	// A new key: a new token.
	if fresh := genURLAuth(t, a, rump); fresh == url {
		t.Fatal("RESETKEY kept the key")
	}
}

// TestURLAuthAccess: each access identifier (RFC 4467 §3), EXPIRE, a
// tampered token, RESETKEY of one mailbox, and the owner's own read right
// (checked at URLFETCH as FETCH checks it); each failure is NIL.
func TestURLAuthAccess(t *testing.T) {
	s := newTestSite(t, "submitservers", "cyrus")
	s.deliver("user.alice", testMessage("a"))
	s.deliver("user.alice.Work", testMessage("w"))
	a := s.login("alice")
	b := s.login("bob")
	base := "imap://alice@imap.test/INBOX/;uid=1"
	fetched := func(c *conv, url string) bool {
		t.Helper()
		l := urlFetch(t, c, url)
		return !strings.HasSuffix(l, `" NIL`)
	}
	authuser := genURLAuth(t, a, base+";urlauth=authuser")
	userBob := genURLAuth(t, a, base+";urlauth=user+bob")
	userCyrus := genURLAuth(t, a, base+";urlauth=user+cyrus")
	anon := genURLAuth(t, a, base+";urlauth=anonymous")
	future := genURLAuth(t, a, base+";expire="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+";urlauth=authuser")
	past := genURLAuth(t, a, base+";expire=2000-01-01T00:00:00Z;urlauth=authuser")
	work := genURLAuth(t, a, "imap://alice@imap.test/Work/;uid=1;urlauth=authuser")
	for _, tc := range []struct {
		c    *conv
		url  string
		want bool
	}{
		{b, authuser, true}, {b, userBob, true}, {b, userCyrus, false}, {b, anon, true},
		{b, future, true}, {b, past, false}, {b, work, true},
		{b, authuser[:len(authuser)-1] + "0", authuser[len(authuser)-1] == '0'},
		{b, strings.Replace(authuser, "uid=1", "uid=2", 1), false},
		{b, strings.Replace(authuser, "authuser", "anonymous", 1), false},
		{b, strings.Replace(authuser, "alice@", "bob@", 1), false},
		{b, "garbage", false}, {b, "imap://alice@imap.test/INBOX/;uid=1", false},
	} {
		if got := fetched(tc.c, tc.url); got != tc.want {
			t.Errorf("URLFETCH %q: fetched %v, want %v", tc.url, got, tc.want)
		}
	}
	// RESETKEY of Work leaves INBOX's URLs alone.
	a.ok("RESETKEY Work INTERNAL")
	if fetched(b, work) || !fetched(b, authuser) {
		t.Error("RESETKEY Work: wrong keys reset")
	}
	// The owner losing r on the mailbox disables its URLs.
	a.ok("SETACL INBOX alice lswipkxtea")
	if fetched(b, authuser) {
		t.Error("URL still works without the owner's r right")
	}
}

// TestURLAuthRefusals: GENURLAUTH only for the session's own user, a
// readable mailbox, the INTERNAL mechanism and a rump; hostile URLs are
// refused with [BADURL] and change nothing.
func TestURLAuthRefusals(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.bob", testMessage("b"))
	a := s.login("alice")
	for _, tc := range []struct{ cmd, want string }{
		{`GENURLAUTH "imap://bob@imap.test/INBOX/;uid=1;urlauth=authuser" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH "imap://alice@imap.test/Other%20Users/bob/;uid=1;urlauth=authuser" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH "imap://alice@imap.test/INBOX/;uid=1;urlauth=authuser" XYZ`, `NO`},
		{`GENURLAUTH "imap://alice@imap.test/INBOX/;uid=1" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH "/INBOX/;uid=1;urlauth=authuser" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH "imap://alice@elsewhere/INBOX/;uid=1;urlauth=authuser" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH "imap://alice@imap.test/INBOX/;uid=1;urlauth=authuser:internal:` + strings.Repeat("a", 40) + `" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH "imap://alice@imap.test/IN%00BOX/;uid=1;urlauth=authuser" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH "imap://alice@imap.test/` + strings.Repeat("a", 9000) + `/;uid=1;urlauth=authuser" INTERNAL`, `NO [BADURL`},
		{`GENURLAUTH`, `BAD`}, {`GENURLAUTH "x"`, `BAD`}, {`URLFETCH`, `BAD`},
		{`RESETKEY Nonexistent`, `NO Mailbox does not exist`}, {`RESETKEY INBOX BOGUS`, `NO`},
	} {
		a.expect(tc.cmd, tc.want)
	}
	a.ok("NOOP")
	n := 0
	if err := s.st.DB().Scan(t.Context(), []byte(cyrusdb.PrefixURLAuthKey), func(k, v []byte, _ uint64) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d keys made by refused commands", n)
	}
}
