package managesieve

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

const greeting = `"IMPLEMENTATION" "Cyrus timsieved gocyrus"
"VERSION" "1.0"
"SASL" "PLAIN LOGIN"
"SIEVE" "fileinto reject envelope"
"UNAUTHENTICATE"
OK
`

func TestGreetingAndCapability(t *testing.T) {
	ts := startServer(t, serverOpts{})
	c, got := ts.dial(t)
	if got != greeting {
		t.Fatalf("greeting\n%s\nwant\n%s", got, greeting)
	}
	c.expect("capability", greeting)
	c.login("alice")
	c.expect("CAPABILITY", `"IMPLEMENTATION" "Cyrus timsieved gocyrus"
"VERSION" "1.0"
"SIEVE" "fileinto reject envelope"
"OWNER" "alice"
"UNAUTHENTICATE"
OK
`)
	c.expect("LOGOUT", "OK \"Logout Complete\"\n")
}

func TestCapabilityOptions(t *testing.T) {
	ts := startServer(t, serverOpts{
		conf:       "serverinfo: off\nsieve_extensions: fileinto enotify vacation\n",
		extensions: []string{"fileinto", "reject", "enotify", "vacation"},
	})
	_, got := ts.dial(t)
	want := `"IMPLEMENTATION" "ManageSieve"
"VERSION" "1.0"
"SASL" "PLAIN LOGIN"
"SIEVE" "fileinto enotify vacation"
"NOTIFY" "mailto"
"UNAUTHENTICATE"
OK
`
	if got != want {
		t.Errorf("greeting\n%s\nwant\n%s", got, want)
	}
	ts = startServer(t, serverOpts{conf: "serverinfo: min\nallowplaintext: 0\n"})
	_, got = ts.dial(t)
	if !strings.HasPrefix(got, "\"IMPLEMENTATION\" \"Cyrus timsieved\"\n\"VERSION\" \"1.0\"\n\"SASL\" \"\"\n") {
		t.Errorf("greeting without plaintext:\n%s", got)
	}
}

func TestUnauthenticatedState(t *testing.T) {
	ts := startServer(t, serverOpts{})
	c, _ := ts.dial(t)
	tests := []struct{ cmd, want string }{
		{"LISTSCRIPTS", "NO \"Authenticate first\"\n"},
		{`PUTSCRIPT "a" {5+}` + "\r\nkeep;", "NO \"Authenticate first\"\n"},
		{"UNAUTHENTICATE", "NO \"Authenticate first\"\n"},
		{"FROB", "NO \"Expected a command. Got something else.\"\n"},
		{"NOOP", "OK \"Done\"\n"},
		{`NOOP "STARTTLS-SYNC-42"`, "OK (TAG \"STARTTLS-SYNC-42\") \"Done\"\n"},
		{`NOOP {3+}` + "\r\na\"b", "OK (TAG \"a\\\"b\") \"Done\"\n"},
		{"NOOP 12", "NO \"Did not specify tag\"\n"},
		{"STARTTLS", "NO \"TLS not available\"\n"},
		{`AUTHENTICATE "PLAIN" "!!!"`, "NO \"error base64 decoding string\"\n"},
		{`AUTHENTICATE "X-NONE"`, "NO \"Authentication Error\"\n"},
		{`AUTHENTICATE`, "NO \"Did not specify mechanism name\"\n"},
		{"LOGOUT extra", "NO \"Expected a string or a number\"\n"},
		{`LOGOUT "extra"`, "NO \"Expected EOL\"\n"},
	}
	for _, tt := range tests {
		c.expect(tt.cmd, tt.want)
	}
}

func TestAuthenticateContinuation(t *testing.T) {
	ts := startServer(t, serverOpts{})
	c, _ := ts.dial(t)
	c.send("AUTHENTICATE \"PLAIN\"\r\n")
	c.conn.SetReadDeadline(time.Now().Add(hangTimeout))
	for _, want := range []string{"{0}\r\n", "\r\n"} {
		if line, err := c.r.ReadString('\n'); err != nil || line != want {
			t.Fatalf("challenge line %q, %v; want %q", line, err, want)
		}
	}
	c.expect(`"*"`, "NO \"Authentication Error\"\n")

	// LOGIN: two challenges, answered with a quoted string and a literal.
	c.send("AUTHENTICATE \"LOGIN\"\r\n")
	c.response2Challenge(t)
	c.send(`"` + base64.StdEncoding.EncodeToString([]byte("bob")) + `"` + "\r\n")
	c.response2Challenge(t)
	pw := base64.StdEncoding.EncodeToString([]byte("pw"))
	c.expect("{"+itoa(len(pw))+"+}\r\n"+pw, "OK\n")
	c.expect(`AUTHENTICATE "PLAIN" ""`, "NO \"Already authenticated\"\n")
	c.expect("UNAUTHENTICATE", "OK\n")
	c.expect("LISTSCRIPTS", "NO \"Authenticate first\"\n")
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// response2Challenge reads one literal challenge "{n}\r\n<data>\r\n".
func (c *client) response2Challenge(t *testing.T) {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(hangTimeout))
	head, err := c.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(head, "{") {
		t.Fatalf("challenge header %q, %v", head, err)
	}
	if _, err := c.r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
}

const classic = `require ["fileinto", "reject"];
if header :contains "Subject" "[CIRCLE]" { fileinto "INBOX.Circle List"; }
if header :contains "Subject" "A great Shockwave flash movie" { reject "Possible virus? Check your system!"; }
if header :contains "Received" ".da.uu.net" { fileinto "INBOX.Junk"; }
if anyof (not address :all :contains ["To", "Cc", "Bcc"] "yourname@youraddress.com") { fileinto "INBOX.Junk"; }
`

func TestScriptLifecycle(t *testing.T) {
	ts := startServer(t, serverOpts{})
	c, _ := ts.dial(t)
	c.login("alice")
	c.expect("LISTSCRIPTS", "OK\n")
	if got := c.putScript("classic", classic); got != "OK\n" {
		t.Fatalf("PUTSCRIPT: %q", got)
	}
	if got := c.putScript("other", "keep;\r\n"); got != "OK\n" {
		t.Fatalf("PUTSCRIPT other: %q", got)
	}
	c.expect(`SETACTIVE "classic"`, "OK\n")
	c.expect("LISTSCRIPTS", "\"classic\" ACTIVE\n\"other\"\nOK\n")
	c.expect(`GETSCRIPT "classic"`, "{"+itoa(len(classic))+"}\n"+classic+"\nOK\n")
	c.expect(`GETSCRIPT "other"`, "{7}\nkeep;\r\n\nOK\n")
	c.expect(`GETSCRIPT "none"`, "NO (NONEXISTENT) \"Script does not exist\"\n")
	c.expect(`DELETESCRIPT "classic"`, "NO (ACTIVE) \"Active script cannot be deleted\"\n")
	c.expect(`DELETESCRIPT "none"`, "NO (NONEXISTENT) \"Script does not exist\"\n")
	c.expect(`SETACTIVE "none"`, "NO (NONEXISTENT) \"Script does not exist\"\n")
	c.expect(`RENAMESCRIPT "classic" "other"`, "NO (ALREADYEXISTS) \"Script other already exists.\"\n")
	c.expect(`RENAMESCRIPT "none" "x"`, "NO (NONEXISTENT) \"Script does not exist\"\n")
	c.expect(`RENAMESCRIPT "classic" "renamed"`, "OK\n")
	c.expect("LISTSCRIPTS", "\"other\"\n\"renamed\" ACTIVE\nOK\n")
	name, src, err := ts.store.Active("alice")
	if err != nil || name != "renamed" || string(src) != classic {
		t.Errorf("store Active = %q %q %v", name, src, err)
	}
	c.expect(`SETACTIVE ""`, "OK\n")
	c.expect(`DELETESCRIPT "renamed"`, "OK\n")
	c.expect("LISTSCRIPTS", "\"other\"\nOK\n")
	// Replacing keeps the content exact, whatever the bytes.
	odd := "# \"quoted\" \\ and {3}\r\nkeep;\x00\xff"
	if got := c.putScript("other", odd); got != "OK\n" {
		t.Fatalf("PUTSCRIPT odd bytes: %q", got)
	}
	c.expect(`GETSCRIPT "other"`, "{"+itoa(len(odd))+"}\n"+odd+"\nOK\n")
}

func TestCompileErrorsAndLimits(t *testing.T) {
	ts := startServer(t, serverOpts{maxScripts: 2, maxSize: 100})
	c, _ := ts.dial(t)
	c.login("bob")
	if got := c.putScript("broken", "keep;\n  bad;\n"); got != "NO \"line 2 column 3: unknown command \\\"bad\\\"\"\n" {
		t.Errorf("bad script: %q", got)
	}
	c.expect("LISTSCRIPTS", "OK\n") // never installed
	c.send("CHECKSCRIPT {4+}\r\nbad;\r\n")
	if got := c.response(); !strings.HasPrefix(got, "NO \"line 1 column 1") {
		t.Errorf("CHECKSCRIPT bad: %q", got)
	}
	c.send("CHECKSCRIPT {5+}\r\nkeep;\r\n")
	if got := c.response(); got != "OK\n" {
		t.Errorf("CHECKSCRIPT good: %q", got)
	}
	tooBig := strings.Repeat("#", 101)
	if got := c.putScript("big", tooBig); got != "NO (QUOTA/MAXSIZE) \"Script size is too large. Max script size is 100 bytes\"\n" {
		t.Errorf("too big: %q", got)
	}
	huge := strings.Repeat("#", 70<<10) // beyond the literal limit: read and dropped
	if got := c.putScript("huge", huge); got != "NO (QUOTA/MAXSIZE) \"Script size is too large. Max script size is 100 bytes\"\n" {
		t.Errorf("huge: %q", got)
	}
	c.expect(`HAVESPACE "x" 101`, "NO (QUOTA/MAXSIZE) \"Script size is too large. Max script size is 100 bytes\"\n")
	c.expect(`HAVESPACE "x" 100`, "OK\n")
	c.putScript("a", "keep;")
	c.putScript("b", "keep;")
	c.expect(`HAVESPACE "c" 1`, "NO (QUOTA/MAXSCRIPTS) \"You are only allowed 2 scripts on this server\"\n")
	c.expect(`HAVESPACE "a" 1`, "OK\n")
	if got := c.putScript("c", "keep;"); got != "NO (QUOTA/MAXSCRIPTS) \"You are only allowed 2 scripts on this server\"\n" {
		t.Errorf("third script: %q", got)
	}
	if got := c.putScript("a", "discard;"); got != "OK\n" {
		t.Errorf("replacing at the limit: %q", got)
	}
	for _, name := range []string{"", "a/b", "nul\x00", strings.Repeat("n", 1024)} {
		c.expect("GETSCRIPT "+quote(name), "NO \"Invalid script name\"\n")
		if got := c.putScript(name, "keep;"); got != "NO \"Invalid script name\"\n" {
			t.Errorf("PUTSCRIPT %q: %q", name, got)
		}
	}
	c.expect(`HAVESPACE "" 1`, "NO \"Invalid script name\"\n")
	c.expect(`HAVESPACE "x"`, "NO \"Did not specify number\"\n")
	c.expect(`PUTSCRIPT "x"`, "NO \"Did not specify legal script data length\"\n")
	c.expect(`GETSCRIPT "a" "b"`, "NO \"Expected EOL\"\n")
	c.expect(`GETSCRIPT "unterminated`, "NO \"Unterminated quoted string\"\n")
	c.expect(`LISTSCRIPTS`, "\"a\"\n\"b\"\nOK\n") // still in step
}

func TestLineTooLong(t *testing.T) {
	ts := startServer(t, serverOpts{conf: "maxline: 100\n"})
	c, _ := ts.dial(t)
	c.expect("NOOP \""+strings.Repeat("x", 200)+"\"", "NO \"Line too long\"\n")
	c.expect("NOOP", "OK \"Done\"\n")
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, serverOpts{idle: 200 * time.Millisecond})
	c, _ := ts.dial(t)
	c.conn.SetReadDeadline(time.Now().Add(hangTimeout))
	line, err := c.r.ReadString('\n')
	if err != nil || line != "BYE \"Shutdown TCP timeout\"\r\n" {
		t.Errorf("after idling: %q, %v", line, err)
	}
	if _, err := c.r.ReadString('\n'); err == nil {
		t.Error("connection still open after BYE")
	}
}

func TestAdminManagesGlobalScripts(t *testing.T) {
	ts := startServer(t, serverOpts{})
	c, _ := ts.dial(t)
	c.login("admin")
	if got := c.putScript("spam", "discard;"); got != "OK\n" {
		t.Fatal(got)
	}
	g, _ := ts.store.GlobalDir("")
	if src, err := g.Get("spam"); err != nil || string(src) != "discard;" {
		t.Errorf("global script %q, %v", src, err)
	}
}

func TestStartTLS(t *testing.T) {
	cert := selfSigned(t)
	ts := startServer(t, serverOpts{conf: "allowplaintext: 0\n", tls: &tls.Config{Certificates: []tls.Certificate{cert}}})
	c, got := ts.dial(t)
	if !strings.Contains(got, "\"SASL\" \"\"\n") || !strings.Contains(got, "\"STARTTLS\"\n") {
		t.Fatalf("greeting before TLS:\n%s", got)
	}
	c.expect("STARTTLS", "OK \"Begin TLS negotiation now\"\n")
	tc := tls.Client(c.conn, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.conn = tc
	c.r.Reset(tc)
	got = c.response()
	if strings.Contains(got, "STARTTLS") || !strings.Contains(got, "\"SASL\" \"PLAIN LOGIN\"\n") {
		t.Errorf("capabilities after TLS:\n%s", got)
	}
	c.expect("STARTTLS", "NO \"TLS already active\"\n")
	c.login("carol")
	c.expect("LISTSCRIPTS", "OK\n")
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
