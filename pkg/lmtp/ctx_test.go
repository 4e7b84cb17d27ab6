package lmtp

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/store"
)

// stallingDB, once armed, blocks every Get until its context ends, as a
// wedged db service would, and says when a Get is waiting.
type stallingDB struct {
	cyrusdb.DB
	armed   *atomic.Bool
	waiting chan struct{}
}

func (s stallingDB) Get(ctx context.Context, key []byte) ([]byte, uint64, error) {
	if s.armed.Load() {
		select {
		case s.waiting <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return nil, 0, ctx.Err()
	}
	return s.DB.Get(ctx, key)
}

// A recipient lookup runs under the session's context: when the service
// stops, a session waiting on the databases ends at once instead of
// holding the process for the lookup's whole deadline.
func TestRecipientLookupEndsWithTheSession(t *testing.T) {
	dir := t.TempDir()
	conf := fmt.Sprintf("configdirectory: %s\npartition-default: %s\ndefaultpartition: default\nservername: localhost\n",
		filepath.Join(dir, "config"), filepath.Join(dir, "spool"))
	cfg, err := config.ParseImapd(strings.NewReader(conf), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	db, err := cyrusdb.Open(cfg.Configdirectory(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sdb := stallingDB{DB: db, armed: new(atomic.Bool), waiting: make(chan struct{}, 1)}
	st, err := store.New(cfg, sdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(st, nil)
	srv.PreauthTCP = true // the trusted MTA (lmtpd -a)
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := make(chan struct{})
	go func() {
		c, err := l.Accept()
		if err != nil {
			close(ended)
			return
		}
		srv.Handle(ctx, c)
		close(ended)
	}()

	cl := dialLMTP(t, l.Addr().String())
	cl.cmd(250, "MAIL FROM:<bob@example.org>")
	sdb.armed.Store(true)
	cl.tp.PrintfLine("RCPT TO:<alice@example.org>")
	select {
	case <-sdb.waiting:
	case <-time.After(30 * time.Second):
		t.Fatal("the RCPT lookup never reached the databases")
	}
	cancel()
	select {
	case <-ended:
	case <-time.After(20 * time.Second): // the lookup's own deadline is a minute
		t.Fatal("the session still waits on the databases after its context ended")
	}
}
