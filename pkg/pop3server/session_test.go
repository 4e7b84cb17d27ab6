package pop3server

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/xdg-go/scram"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

const (
	msgPlain = "Subject: one\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n"
	msgDots  = "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"
	msgNoEOL = "Subject: no eol\r\n\r\nlast line without end"
)

// stuff is the expected multi-line form of a message.
func stuff(m string) string {
	lines := strings.SplitAfter(m, "\n")
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(l, ".") {
			b.WriteByte('.')
		}
		b.WriteString(l)
	}
	if !strings.HasSuffix(m, "\n") {
		b.WriteString("\r\n")
	}
	return b.String()
}

func TestConversation(t *testing.T) {
	s := newTestSite(t, false)
	uids := s.appendMessages(msgPlain, msgDots, msgNoEOL)
	v0 := s.view()
	c, greeting := s.dial()
	if !strings.HasPrefix(greeting, "+OK pop.test Cyrus POP3 gocyrus server ready") {
		t.Fatalf("greeting %q", greeting)
	}
	if r := c.cmd("CAPA"); r != "+OK List of capabilities follows" {
		t.Fatalf("CAPA: %q", r)
	}
	capa := c.multi()
	for _, want := range []string{"SASL ", "USER\r\n", "UIDL\r\n", "TOP\r\n", "PIPELINING\r\n", "RESP-CODES\r\n", "AUTH-RESP-CODE\r\n", "EXPIRE NEVER\r\n", "LOGIN-DELAY 0\r\n", "IMPLEMENTATION Cyrus POP3 gocyrus\r\n"} {
		if !strings.Contains(capa, want) {
			t.Errorf("CAPA lacks %q:\n%s", want, capa)
		}
	}
	if strings.Contains(capa, "STLS") {
		t.Errorf("STLS offered without TLS:\n%s", capa)
	}
	if r := c.cmd("STAT"); r != "-ERR Unrecognized command" {
		t.Errorf("STAT before login: %q", r)
	}
	c.login()
	if capa := (func() string { c.cmd("CAPA"); return c.multi() })(); strings.Contains(capa, "SASL") || strings.Contains(capa, "USER") {
		t.Errorf("CAPA after login still offers login:\n%s", capa)
	}
	total := len(msgPlain) + len(msgDots) + len(msgNoEOL)
	if r := c.cmd("STAT"); r != fmt.Sprintf("+OK 3 %d", total) {
		t.Errorf("STAT: %q", r)
	}
	if r := c.cmd("LIST"); r != "+OK scan listing follows" {
		t.Fatalf("LIST: %q", r)
	}
	wantList := fmt.Sprintf("1 %d\r\n2 %d\r\n3 %d\r\n", len(msgPlain), len(msgDots), len(msgNoEOL))
	if got := c.multi(); got != wantList {
		t.Errorf("LIST = %q, want %q", got, wantList)
	}
	if r := c.cmd("LIST 2"); r != fmt.Sprintf("+OK 2 %d", len(msgDots)) {
		t.Errorf("LIST 2: %q", r)
	}
	for _, bad := range []struct{ cmd, want string }{
		{"LIST 4", "-ERR No such message"}, {"LIST 0", "-ERR No such message"}, {"LIST x", "-ERR Invalid message number"},
		{"LIST -1", "-ERR Invalid message number"}, {"RETR", "-ERR Missing argument"}, {"NOOP x", "-ERR Unexpected extra argument"},
		{"LAST", "-ERR Unrecognized command"}, {"TOP 1", "-ERR Missing argument"}, {"TOP 1 z", "-ERR Invalid number of lines"},
	} {
		if r := c.cmd(bad.cmd); r != bad.want {
			t.Errorf("%s: %q, want %q", bad.cmd, r, bad.want)
		}
	}
	c.cmd("UIDL")
	wantUIDL := fmt.Sprintf("1 %d.%d\r\n2 %d.%d\r\n3 %d.%d\r\n", v0.UIDValidity, uids[0], v0.UIDValidity, uids[1], v0.UIDValidity, uids[2])
	if got := c.multi(); got != wantUIDL {
		t.Errorf("UIDL = %q, want %q", got, wantUIDL)
	}
	for i, m := range []string{msgPlain, msgDots, msgNoEOL} {
		if r := c.cmd(fmt.Sprintf("RETR %d", i+1)); r != "+OK Message follows" {
			t.Fatalf("RETR: %q", r)
		}
		if got := c.multi(); got != stuff(m) {
			t.Errorf("RETR %d = %q, want %q", i+1, got, stuff(m))
		}
	}
	c.cmd("TOP 1 0")
	if got := c.multi(); got != "Subject: one\r\nFrom: a@b\r\n\r\n" {
		t.Errorf("TOP 1 0 = %q", got)
	}
	c.cmd("TOP 2 2")
	if got := c.multi(); got != "Subject: dots\r\n\r\n..leading dot\r\n...two dots\r\n" {
		t.Errorf("TOP 2 2 = %q", got)
	}
	if r := c.cmd("DELE 1"); r != "+OK message deleted" {
		t.Errorf("DELE: %q", r)
	}
	if r := c.cmd("RETR 1"); r != "-ERR No such message" {
		t.Errorf("RETR of deleted: %q", r)
	}
	if r := c.cmd("RSET"); r != "+OK" {
		t.Errorf("RSET: %q", r)
	}
	if r := c.cmd("LIST 1"); !strings.HasPrefix(r, "+OK 1 ") {
		t.Errorf("LIST 1 after RSET: %q", r)
	}
	c.cmd("DELE 2")
	if r := c.cmd("STAT"); r != fmt.Sprintf("+OK 2 %d", len(msgPlain)+len(msgNoEOL)) {
		t.Errorf("STAT after DELE: %q", r)
	}
	if r := c.cmd("QUIT"); r != "+OK" {
		t.Errorf("QUIT: %q", r)
	}
	v := s.view()
	if v.Exists() != 2 || v.Records[0].UID != uids[0] || v.Records[1].UID != uids[2] {
		t.Fatalf("after QUIT: %d messages %+v", v.Exists(), v.Records)
	}
	if v.Records[0].Flags&mailbox.FlagSeen != 0 {
		t.Errorf("\\Seen set without popuseimapflags")
	}
}

func TestNoUpdateWithoutQuit(t *testing.T) {
	s := newTestSite(t, false)
	s.appendMessages(msgPlain)
	c, _ := s.dial()
	c.login()
	c.cmd("DELE 1")
	c.conn.Close()
	c2, _ := s.dial()
	c2.login()
	if r := c2.cmd("STAT"); !strings.HasPrefix(r, "+OK 1 ") {
		t.Errorf("a dropped session expunged: %q", r)
	}
}

func TestPopUseIMAPFlags(t *testing.T) {
	s := newTestSite(t, false, "popuseimapflags", "1")
	s.appendMessages(msgPlain, msgDots)
	c, _ := s.dial()
	c.login()
	c.cmd("RETR 1")
	c.multi()
	c.cmd("TOP 2 0")
	c.multi()
	c.cmd("QUIT")
	v := s.view()
	if v.Records[0].Flags&mailbox.FlagSeen == 0 || v.Records[1].Flags&mailbox.FlagSeen != 0 {
		t.Errorf("flags: %v %v (want \\Seen on the RETR'd message only)", v.Records[0].Flags, v.Records[1].Flags)
	}
}

func TestConcurrentExpunge(t *testing.T) {
	s := newTestSite(t, false)
	uids := s.appendMessages(msgPlain, msgDots)
	c, _ := s.dial()
	c.login()
	second, _ := s.dial()
	second.login() // Cyrus 3.6: a second session is allowed
	mb, _, err := s.st.Open(context.Background(), s.inbox, quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	if _, err := mb.Expunge(context.Background(), uids[:1]); err != nil {
		t.Fatal(err)
	}
	if r := c.cmd("RETR 1"); r != "-ERR No such message" {
		t.Errorf("RETR of a message expunged meanwhile: %q", r)
	}
	c.cmd("DELE 1")
	c.cmd("DELE 2")
	if r := c.cmd("QUIT"); r != "+OK" {
		t.Errorf("QUIT: %q", r)
	}
	if r := second.cmd("RETR 2"); r != "-ERR No such message" {
		t.Errorf("second session RETR 2 after the first expunged it: %q", r)
	}
	if r := second.cmd("QUIT"); r != "+OK" {
		t.Errorf("second QUIT: %q", r)
	}
}

func TestLoginFailures(t *testing.T) {
	s := newTestSite(t, false)
	c, _ := s.dial()
	for _, step := range []struct{ cmd, want string }{
		{"PASS secret", "-ERR [AUTH] Must give USER command"},
		{"USER alice", "+OK Name is a valid mailbox"},
		{"USER alice", "-ERR [AUTH] Must give PASS command"},
		{"PASS wrong", "-ERR [AUTH] Invalid login"},
		{"USER nobody", "+OK Name is a valid mailbox"},
		{"PASS secret", "-ERR [AUTH] Invalid login"},
		{"APOP alice 0123456789abcdef0123456789abcdef", "-ERR [AUTH] APOP not available"},
		{"AUTH NOSUCH", "-ERR [AUTH] Invalid SASL mechanism"},
		{"", "-ERR Null command"},
		{strings.Repeat("x", 70000), "-ERR Line too long"},
		{"NOOP", "-ERR Unrecognized command"},
	} {
		if r := c.cmd(step.cmd); r != step.want {
			t.Errorf("%.20s: %q, want %q", step.cmd, r, step.want)
		}
	}
	s2 := newTestSite(t, false, "allowplaintext", "0")
	c2, _ := s2.dial()
	if r := c2.cmd("USER alice"); r != "-ERR [AUTH] USER command only available under a layer" {
		t.Errorf("USER without TLS: %q", r)
	}
	c2.cmd("CAPA")
	if capa := c2.multi(); strings.Contains(capa, "USER") || strings.Contains(capa, "PLAIN") {
		t.Errorf("plaintext offered without a layer:\n%s", capa)
	}
}

func TestNoMaildrop(t *testing.T) {
	s := newTestSite(t, false)
	if _, err := s.st.DeleteMailbox(context.Background(), "user.alice"); err != nil {
		t.Fatal(err)
	}
	c, _ := s.dial()
	c.cmd("USER alice")
	if r := c.cmd("PASS secret"); r != "-ERR [SYS/PERM] Unable to open maildrop: Mailbox does not exist" {
		t.Errorf("PASS: %q", r)
	}
}

func TestAuthPlain(t *testing.T) {
	s := newTestSite(t, false)
	s.appendMessages(msgPlain)
	ir := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00secret"))
	c, _ := s.dial()
	if r := c.cmd("AUTH PLAIN " + ir); !strings.HasPrefix(r, "+OK Mailbox locked and ready") {
		t.Fatalf("AUTH PLAIN with IR: %q", r)
	}
	c2, _ := s.dial()
	if r := c2.cmd("AUTH PLAIN"); r != "+ " {
		t.Fatalf("AUTH PLAIN: %q", r)
	}
	if r := c2.cmd(ir); !strings.HasPrefix(r, "+OK Mailbox locked and ready") {
		t.Fatalf("AUTH PLAIN continuation: %q", r)
	}
	c3, _ := s.dial()
	c3.cmd("AUTH PLAIN")
	if r := c3.cmd("*"); r != "-ERR [AUTH] Client canceled authentication" {
		t.Errorf("cancel: %q", r)
	}
	if r := c3.cmd("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00alice\x00bad"))); r != "-ERR [AUTH] authentication failure" {
		t.Errorf("bad password: %q", r)
	}
	if r := c3.cmd("AUTH"); r != "+OK List of supported mechanisms follows" {
		t.Fatalf("AUTH: %q", r)
	}
	if got := c3.multi(); !strings.Contains(got, "PLAIN\r\n") || !strings.Contains(got, "SCRAM-SHA-256\r\n") {
		t.Errorf("mechanisms: %q", got)
	}
}

func TestSTLS(t *testing.T) {
	s := newTestSite(t, true, "allowplaintext", "0")
	s.appendMessages(msgPlain)
	c, _ := s.dial()
	c.cmd("CAPA")
	if capa := c.multi(); !strings.Contains(capa, "STLS\r\n") {
		t.Fatalf("no STLS in CAPA:\n%s", capa)
	}
	if r := c.cmd("STLS"); r != "+OK Begin TLS negotiation now" {
		t.Fatalf("STLS: %q", r)
	}
	tc := tls.Client(c.conn, s.tls)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.conn = tc
	c.r.Reset(tc)
	c.cmd("CAPA")
	if capa := c.multi(); strings.Contains(capa, "STLS") || !strings.Contains(capa, "USER") {
		t.Errorf("CAPA under TLS:\n%s", capa)
	}
	if r := c.cmd("STLS"); r != "-ERR STLS not available" {
		t.Errorf("second STLS: %q", r)
	}
	c.login()
	c.cmd("RETR 1")
	if got := c.multi(); got != msgPlain {
		t.Errorf("RETR over TLS = %q", got)
	}
}

func TestUIDLFormats(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   string
	}{
		{"cyrus", "1234.7"}, {"uidonly", "7"}, {"dovecot", "00000007000004d2"}, {"courier", "1234-7"},
	} {
		f, err := parseUIDLFormat(tc.format)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(f.appendUIDL(nil, 1234, 7)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.format, got, tc.want)
		}
	}
	if _, err := parseUIDLFormat("bogus"); err == nil {
		t.Error("bogus format accepted")
	}
}

func TestLoginDelay(t *testing.T) {
	s := newTestSite(t, false, "popminpoll", "2")
	c, _ := s.dial()
	c.cmd("CAPA")
	if capa := c.multi(); !strings.Contains(capa, "LOGIN-DELAY 120\r\n") {
		t.Errorf("CAPA:\n%s", capa)
	}
	c.login()
	c.cmd("QUIT")
	c2, _ := s.dial()
	c2.cmd("USER alice")
	if r := c2.cmd("PASS secret"); r != "-ERR [LOGIN-DELAY] Logins must be at least 2 minutes apart" {
		t.Errorf("second login: %q", r)
	}
}

func TestPopUseACL(t *testing.T) {
	s := newTestSite(t, false, "popuseacl", "1")
	s.appendMessages(msgPlain)
	setACL := func(text string) {
		t.Helper()
		a, err := acl.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.st.ModifyMailbox(context.Background(), s.inbox, func(e *mboxlist.Entry) error { e.ACL = a; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	setACL("alice\tlr\t")
	c, _ := s.dial()
	c.login()
	if r := c.cmd("DELE 1"); r != "-ERR [SYS/PERM] Permission denied" {
		t.Errorf("DELE without t: %q", r)
	}
	c.cmd("QUIT")
	setACL("bob\tlr\t")
	c2, _ := s.dial()
	c2.cmd("USER alice")
	if r := c2.cmd("PASS secret"); r != "-ERR [IN-USE] Unable to lock maildrop: Permission denied" {
		t.Errorf("login without r: %q", r)
	}
}

func TestAuthSCRAM(t *testing.T) {
	s := newTestSite(t, false)
	s.appendMessages(msgPlain)
	for _, tc := range []struct {
		mech string
		hash scram.HashGeneratorFcn
	}{{"SCRAM-SHA-256", scram.SHA256}, {"SCRAM-SHA-1", scram.SHA1}} {
		client, err := tc.hash.NewClient("alice", "secret", "")
		if err != nil {
			t.Fatal(err)
		}
		conv := client.NewConversation()
		first, err := conv.Step("")
		if err != nil {
			t.Fatal(err)
		}
		c, _ := s.dial()
		r := c.cmd("AUTH " + tc.mech + " " + base64.StdEncoding.EncodeToString([]byte(first)))
		for strings.HasPrefix(r, "+ ") {
			ch, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r, "+ "))
			if err != nil {
				t.Fatal(err)
			}
			resp := ""
			if !conv.Done() {
				if resp, err = conv.Step(string(ch)); err != nil {
					t.Fatalf("%s: %v", tc.mech, err)
				}
			}
			r = c.cmd(base64.StdEncoding.EncodeToString([]byte(resp)))
		}
		if !strings.HasPrefix(r, "+OK Mailbox locked and ready") || !conv.Valid() {
			t.Errorf("%s: %q (server verified: %v)", tc.mech, r, conv.Valid())
		}
	}
}
