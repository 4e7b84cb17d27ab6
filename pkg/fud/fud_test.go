package fud

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	dir := t.TempDir()
	cfg := config.New()
	for k, v := range map[string]string{"configdirectory": filepath.Join(dir, "config"), "partition-default": filepath.Join(dir, "spool")} {
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	db, err := cyrusdb.Open(filepath.Join(dir, "config"), cyrusdb.Options{})
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

func deliver(t *testing.T, st *store.Store, name string, n int) {
	t.Helper()
	mb, _, err := st.Open(context.Background(), name, store.QuotaIgnore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	for i := range n {
		body := fmt.Sprintf("Subject: %d\r\n\r\nhello\r\n", i)
		if _, err := mb.Append(context.Background(), []mailbox.AppendMessage{{Body: strings.NewReader(body)}}); err != nil {
			t.Fatal(err)
		}
	}
}

func grant(t *testing.T, st *store.Store, name, id, rights string) {
	t.Helper()
	_, err := st.ModifyMailbox(context.Background(), name, func(e *store.Entry) error {
		a, err := e.ACL.Apply(id, rights, 'x')
		e.ACL = a
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnswer: the reply format and the ACL rule of Cyrus's fud (imap/fud.c): a personal
// mailbox answers only with "anonymous" holding right 0, a shared one always; unknown names
// and bad requests answer as Cyrus does; nothing is changed by a query.
func TestAnswer(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	for _, n := range []string{"user.joe", "user.ann", "shared"} {
		if _, err := st.CreateMailbox(ctx, n, store.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().Unix()
	deliver(t, st, "user.joe", 3)
	deliver(t, st, "shared", 1)
	grant(t, st, "user.joe", "anonymous", "0")
	e, err := st.Lookup(ctx, "user.joe")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateSeen(ctx, "joe", e.UniqueID, func(s *store.Seen) (bool, error) {
		s.LastUID, s.LastRead = 1, 1700000000
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	srv := New(st, nil)
	figures := func(req string) (prefix string, numRecent int, lastRead, lastArrived int64) {
		t.Helper()
		reply := string(srv.Answer(ctx, []byte(req)))
		parts := strings.Split(reply, "|")
		if len(parts) != 5 {
			t.Fatalf("%q answered %q", req, reply)
		}
		fmt.Sscan(parts[2], &numRecent)
		fmt.Sscan(parts[3], &lastRead)
		fmt.Sscan(parts[4], &lastArrived)
		return parts[0] + "|" + parts[1], numRecent, lastRead, lastArrived
	}
	prefix, recent, read, arrived := figures("joe|INBOX")
	if prefix != "joe|INBOX" || recent != 2 || read != 1700000000 || arrived < before || arrived > time.Now().Unix() {
		t.Errorf("joe|INBOX: %s numrecent=%d lastread=%d lastarrived=%d (delivered after %d)", prefix, recent, read, arrived, before)
	}
	if prefix, recent, _, _ := figures("joe|user/joe"); prefix != "joe|user/joe" || recent != 2 {
		t.Errorf("joe|user/joe (unixhierarchysep): %s %d", prefix, recent)
	}
	if _, recent, read, _ := figures("bob|shared\x00trailing"); recent != 1 || read != 0 {
		t.Errorf("bob|shared: numrecent=%d lastread=%d", recent, read)
	}
	for req, want := range map[string][]byte{
		"ann|INBOX":       ReplyPermDeny, // no right 0 for anonymous
		"joe|nosuch":      ReplyUnknown,
		"joe|INBOX.x\x01": ReplyUnknown, // a bad name
		"|INBOX":          ReplyUnknown, // no user: no INBOX
		"no separator":    nil,
		"":                nil,
	} {
		if got := srv.Answer(ctx, []byte(req)); !bytes.Equal(got, want) {
			t.Errorf("%q answered %q, want %q", req, got, want)
		}
	}
	grant(t, st, "user.ann", "anonymous", "lr") // rights other than 0 do not open it
	if got := srv.Answer(ctx, []byte("ann|INBOX")); !bytes.Equal(got, ReplyPermDeny) {
		t.Errorf("ann with anonymous lr answered %q", got)
	}
	if s, _ := st.GetSeen(ctx, "bob", e.UniqueID); s.LastUID != 0 {
		t.Errorf("a query changed seen state: %+v", s)
	}
}

// TestServe: over a real UDP socket, each datagram gets its answer; a long hostile datagram
// is cut at MaxRequest and the server goes on answering.
func TestServe(t *testing.T) {
	st := newStore(t)
	if _, err := st.CreateMailbox(context.Background(), "shared", store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(st, nil).Serve(ctx, pc) }()
	c, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2048)
	c.Write([]byte("x|" + strings.Repeat("a", 60000))) // cut to 511 bytes: an unknown name
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "UNKNOWN\x00" {
		t.Fatalf("long datagram answered %q, %v", buf[:n], err)
	}
	c.Write([]byte("bob|shared"))
	n, err = c.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "bob|shared|0|0|") {
		t.Fatalf("answered %q, %v", buf[:n], err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
