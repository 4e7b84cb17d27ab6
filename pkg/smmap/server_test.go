package smmap

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

func testStore(t *testing.T, extra ...string) *store.Store {
	t.Helper()
	dir := t.TempDir()
	conf := "configdirectory: " + dir + "\npartition-default: " + dir + "/spool\n" + strings.Join(extra, "\n") + "\n"
	cfg, err := config.ParseImapd(strings.NewReader(conf), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	db, err := cyrusdb.Open(dir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := store.New(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func mkbox(t *testing.T, st *store.Store, name, aclText string) {
	t.Helper()
	opt := store.CreateOptions{Quota: quota.Ignore}
	if aclText != "" {
		a, err := acl.Parse(aclText)
		if err != nil {
			t.Fatal(err)
		}
		opt.ACL = a
	}
	if _, err := st.CreateMailbox(context.Background(), name, opt); err != nil {
		t.Fatal(err)
	}
}

// tree is the tree of test/compat/capture/smmapd.py: alice with Work
// (anyone p) and Private (no p for anyone), bob over quota, carol under
// it, the shared board (anyone p) and closed (none).
func tree(t *testing.T, extra ...string) *store.Store {
	st := testStore(t, append([]string{"lmtp_downcase_rcpt: yes"}, extra...)...)
	mkbox(t, st, "user.alice", "")
	mkbox(t, st, "user.alice.Work", "anyone\tp\t")
	mkbox(t, st, "user.alice.Private", "alice\tlrswipkxtecda\t")
	mkbox(t, st, "user.bob", "")
	mkbox(t, st, "user.carol", "")
	mkbox(t, st, "board", "anyone\tlrsp\t")
	mkbox(t, st, "closed", "")
	ctx := context.Background()
	for root, limit := range map[string]int64{"user.bob": 0, "user.carol": 100} {
		var l quota.Limits
		for i := range l {
			l[i] = quota.Unlimited
		}
		l[quota.Storage] = limit
		if err := st.SetQuota(ctx, root, l); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestVerify(t *testing.T) {
	st := tree(t)
	// bob's root is at 0 KB; one byte charged puts it over.
	overQuota(t, st, "user.bob")
	s := NewServer(st, nil)
	for key, want := range map[string]string{
		"alice": "", "Alice": "", "alice+Work": "", "alice+Private": "", "alice+": "",
		"alice@example.org": "", "carol": "", "+board": "",
		"alice+nosuch": "NOTFOUND Mailbox does not exist", "nosuch": "NOTFOUND Mailbox does not exist",
		"bob+Work": "NOTFOUND Mailbox does not exist", "+nosuch": "NOTFOUND Mailbox does not exist",
		"postuser+board": "NOTFOUND Mailbox does not exist", "": "NOTFOUND Mailbox does not exist",
		"alice bob": "NOTFOUND Mailbox does not exist", "<alice>": "NOTFOUND Mailbox does not exist",
		"@x:alice": "NOTFOUND Mailbox does not exist", "al\x00ce": "NOTFOUND Mailbox does not exist",
		"+": "NOTFOUND Mailbox does not exist", "user.alice": "NOTFOUND Mailbox does not exist",
		"alice+../../x": "NOTFOUND Mailbox does not exist",
		"+closed":       "PERM Permission denied",
		"bob":           "TEMP Over quota",
	} {
		if got := s.Verify(context.Background(), key); got != want {
			t.Errorf("Verify(%q) = %q, want %q", key, got, want)
		}
	}
	perm := NewServer(tree(t, "lmtp_over_quota_perm_failure: yes"), nil)
	overQuota(t, perm.store, "user.bob")
	if got := perm.Verify(context.Background(), "bob"); got != "PERM Over quota" {
		t.Errorf("with lmtp_over_quota_perm_failure: %q", got)
	}
}

// overQuota charges a small message to name's root.
func overQuota(t *testing.T, st *store.Store, name string) {
	t.Helper()
	mb, _, err := st.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	if _, err := mb.Append(context.Background(), []mailbox.AppendMessage{{Body: strings.NewReader("Subject: x\r\n\r\n" + strings.Repeat("y", 2000) + "\r\n")}}); err != nil {
		t.Fatal(err)
	}
}

// dial serves one connection of s on a pipe.
func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.Handle(context.Background(), server) }()
	t.Cleanup(func() {
		client.Close()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Error("session did not end")
		}
	})
	client.SetDeadline(time.Now().Add(time.Minute))
	return client
}

// exchange sends raw and reads until the server closes the connection.
func exchange(t *testing.T, s *Server, raw string) string {
	t.Helper()
	c := dial(t, s)
	io.WriteString(c, raw)
	c.(*net.TCPConn).CloseWrite()
	out, _ := io.ReadAll(c)
	return string(out)
}

func TestProtocolHostile(t *testing.T) {
	s := NewServer(tree(t), nil)
	for raw, want := range map[string]string{
		"5:alice":                        "38:PERM Bad protocol (missing terminator),",
		"12:smmapd alice;":               "38:PERM Bad protocol (missing terminator),",
		"99:x":                           "53:PERM Bad protocol (request size doesn't match length),",
		"5:alice,":                       "31:PERM Bad protocol (missing key),",
		"0:,":                            "31:PERM Bad protocol (missing key),",
		"abc":                            "34:PERM Bad protocol (missing length),",
		":x,":                            "34:PERM Bad protocol (missing length),",
		"1025:x":                         "36:PERM Bad protocol (request too long),",
		"99999999999999999999999999999:": "36:PERM Bad protocol (request too long),",
		"00000000000:":                   "36:PERM Bad protocol (request too long),",
		"12:smmapd alice,1":              "8:OK alice,53:PERM Bad protocol (request size doesn't match length),",
		"12:smmapd al\x00ce,":            "31:NOTFOUND Mailbox does not exist,",
		"12:smmapd alice,10:smmapd bob,": "8:OK alice,6:OK bob,",
	} {
		c := dial(t, s)
		io.WriteString(c, raw)
		c.(*net.TCPConn).CloseWrite()
		out, _ := io.ReadAll(c)
		got := string(out)
		if got != want {
			t.Errorf("%q -> %q, want %q", raw, got, want)
		}
		c.Close()
	}
}

// TestConnectionsIndependent: a connection that stalls inside a request
// holds nothing another needs, and the stalled one is closed after
// IdleTimeout.
func TestConnectionsIndependent(t *testing.T) {
	s := NewServer(tree(t), nil)
	s.IdleTimeout = 200 * time.Millisecond
	stalled := dial(t, s)
	io.WriteString(stalled, "1000:smmapd al")
	for range 3 {
		if got := exchange(t, s, "12:smmapd alice,"); got != "8:OK alice," {
			t.Fatalf("beside a stalled connection: %q", got)
		}
	}
	// The idle bound closes it: ReadAll returns (the dial deadline is a minute).
	out, err := io.ReadAll(stalled)
	if err != nil || len(out) != 0 {
		t.Errorf("stalled connection: %q, %v", out, err)
	}
}
