package lmtp

import (
	"context"
	"os"
	"strings"
	"testing"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/quota"
)

// line sends one command and returns the reply's lines, joined by "\n".
func (c *lmtpClient) line(format string, a ...any) string {
	c.tb.Helper()
	c.tp.PrintfLine(format, a...)
	var out []string
	for {
		l, err := c.tp.ReadLine()
		if err != nil {
			c.tb.Fatal(err)
		}
		out = append(out, l)
		if len(l) < 4 || l[3] != '-' {
			return strings.Join(out, "\n")
		}
	}
}

// untrusted turns the test server's TCP listener into an ordinary one
// (lmtpd without -a), offering PLAIN that accepts any password.
func untrusted(t *testing.T) func(*Server) {
	return func(s *Server) {
		s.PreauthTCP = false
		a, err := auth.New(s.store.Config(), auth.Options{Service: "lmtp", FailureDelay: auth.NoFailureDelay})
		if err != nil {
			t.Fatal(err)
		}
		s.Auth = a
	}
}

var authConf = []string{"sasl_pwcheck_method: alwaystrue", "allowplaintext: 1", "sasl_mech_list: PLAIN"}

// TestUnauthenticatedTCPRefused: on TCP without lmtpd -a, MAIL before
// AUTH gets Cyrus's line (430 with soft_noauth, the default; 530 without;
// no enhanced code) and opens no transaction, so RCPT and DATA are
// refused as outside one, and nothing is delivered.
func TestUnauthenticatedTCPRefused(t *testing.T) {
	for _, tc := range []struct {
		conf []string
		want string
	}{
		{nil, "430 Authentication required"},
		{[]string{"soft_noauth: 1"}, "430 Authentication required"},
		{[]string{"soft_noauth: 0"}, "530 Authentication required"},
	} {
		srv, addr := newTestServerWith(t, []string{"user.alice"}, untrusted(t), append(tc.conf, authConf...)...)
		c := dialLMTP(t, addr)
		steps := []struct{ cmd, want string }{
			{"MAIL FROM:<bob@localhost>", tc.want},
			{"MAIL FROM:<bob@localhost> AUTH=postman", tc.want},
			{"RCPT TO:<alice>", "503 5.5.1 Need MAIL command"},
			{"DATA", "503 5.5.1 No recipients"},
		}
		for _, st := range steps {
			if got := c.line("%s", st.cmd); got != st.want {
				t.Errorf("%v: %s: got %q, want %q", tc.conf, st.cmd, got, st.want)
			}
		}
		mb, _, err := srv.store.Open(context.Background(), "user.alice", quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		v, err := mb.Snapshot()
		mb.Close()
		if err != nil || len(v.Records) != 0 {
			t.Errorf("%v: user.alice holds %d messages (%v), want none", tc.conf, len(v.Records), err)
		}
	}
}

// TestAuthenticatedTCPDelivers: after AUTH on TCP the transaction opens
// and the message is delivered, with the authenticated user's rights.
func TestAuthenticatedTCPDelivers(t *testing.T) {
	_, addr := newTestServerWith(t, []string{"user.alice"}, untrusted(t), authConf...)
	c := dialLMTP(t, addr)
	if got := c.line("MAIL FROM:<bob@localhost>"); got != "430 Authentication required" {
		t.Fatalf("MAIL before AUTH: %q", got)
	}
	// PLAIN: authzid "", authcid bob, password x.
	if got := c.line("AUTH PLAIN AGJvYgB4"); !strings.HasPrefix(got, "235 ") {
		t.Fatalf("AUTH: %q", got)
	}
	if r := c.send("bob@localhost", []string{"alice"}, "Subject: authed\r\n\r\nhi\r\n"); !strings.HasPrefix(r[0], "250 2.1.5 ") {
		t.Errorf("delivery after AUTH: %q", r)
	}
}

// TestTrustedSenderRights: a trusted connection (the unix socket, lmtpd
// -a) lends no rights of its own: without MAIL FROM's AUTH= the sender is
// anonymous, so "postman p" on a shared folder or a +detail folder does
// not apply; AUTH=postman does, AUTH=<> is anonymous again (the Cyrus
// 3.6.1 transcript, sessions 1 and 3). The connection stays
// authenticated all the same: Received says LMTPA.
func TestTrustedSenderRights(t *testing.T) {
	srv, addr := newTestServerWith(t, nil, func(s *Server) {
		mkbox(t, s.store, "user.alice", "")
		mkbox(t, s.store, "user.alice.Work", "postman\tp\t")
		mkbox(t, s.store, "board", "postman\tp\t")
	})
	c := dialLMTP(t, addr)
	steps := []struct{ cmd, want string }{
		{"MAIL FROM:<bob@localhost>", "250 2.1.0 ok"},
		{"RCPT TO:<+board>", replyPermission.lines()[0]},
		{"RCPT TO:<alice+Work>", "250 2.1.5 ok"},
		{"RSET", ""},
		{"MAIL FROM:<bob@localhost> AUTH=postman", "250 2.1.0 ok"},
		{"RCPT TO:<+board>", "250 2.1.5 ok"},
		{"RSET", ""},
		{"MAIL FROM:<bob@localhost> AUTH=<>", "250 2.1.0 ok"},
		{"RCPT TO:<+board>", replyPermission.lines()[0]},
		{"RSET", ""},
	}
	for _, st := range steps {
		got := c.line("%s", st.cmd)
		if st.want != "" && !strings.HasPrefix(got, st.want) {
			t.Errorf("%s: got %q, want %q", st.cmd, got, st.want)
		}
	}
	// Without AUTH=, alice+Work (p for postman only) lands in INBOX.
	if r := c.send("bob@localhost", []string{"alice+Work"}, "Subject: detail\r\n\r\nhi\r\n"); !strings.HasPrefix(r[0], "250 ") {
		t.Fatalf("delivery: %q", r)
	}
	for box, want := range map[string]int{"user.alice": 1, "user.alice.Work": 0} {
		mb, _, err := srv.store.Open(context.Background(), box, quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		v, err := mb.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Records) != want {
			t.Errorf("%s holds %d messages, want %d", box, len(v.Records), want)
		}
		for _, r := range v.Records {
			b, err := os.ReadFile(mb.MessagePath(r.UID))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), " with LMTPA;") {
				t.Errorf("%s uid %d: Received is not LMTPA:\n%s", box, r.UID, b)
			}
		}
		mb.Close()
	}
}
