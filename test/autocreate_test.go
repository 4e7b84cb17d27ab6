package test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

// TestImapdAutocreatesAtLogin: with autocreate_quota >= 0 the real imapd
// gives a user without an INBOX one at first login, as Cyrus's imapd does
// (autocreate_user), with the autocreate_inbox_folders, the subscriptions
// and the quota; the user sees them in the same session.
func TestImapdAutocreatesAtLogin(t *testing.T) {
	s := newSite(t, "allowplaintext: 1", "autocreate_quota: 2048", "autocreate_quota_messages: 50",
		"autocreate_inbox_folders: Sent|Trash", "autocreate_subscribe_folders: Sent")
	addr := startImapd(t, s)
	db, err := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = sasldb.New(db).SetPassword(context.Background(), "carol", "secret", true)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	c := dialIMAP(t, addr, "carol", nil)
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	for _, want := range []string{"INBOX", "Sent", "Trash"} {
		if !slices.Contains(names, want) {
			t.Errorf("LIST after the first login: %q, missing %s", names, want)
		}
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("SELECT INBOX: %v", err)
	}
	c.Logout().Wait()

	st, closeStore := s.openStore(t)
	defer closeStore()
	ctx := context.Background()
	subs, err := st.Subscriptions(ctx, "carol")
	if want := []string{"user.carol", "user.carol.Sent"}; err != nil || !slices.Equal(subs, want) {
		t.Errorf("subscriptions %q, %v; want %q", subs, err, want)
	}
	q, err := st.GetQuota(ctx, "user.carol")
	if err != nil || q.Limits[store.QuotaStorage] != 2048 || q.Limits[store.QuotaMessage] != 50 {
		t.Errorf("quota of user.carol: %+v, %v", q, err)
	}
}

// TestPop3dAutocreatesAtLogin: pop3d autocreates at login as imapd does
// (Cyrus's pop3d runs autocreate_user too): a new user's first POP3 login
// answers +OK with an empty maildrop, and the INBOX, its folders,
// subscriptions and quota exist afterwards. An admin (admins: cyrus) gets
// none, as in Cyrus: the login finds no maildrop.
func TestPop3dAutocreatesAtLogin(t *testing.T) {
	s := newSite(t, "allowplaintext: 1", "autocreate_quota: 2048", "autocreate_quota_messages: 50",
		"autocreate_inbox_folders: Sent|Trash", "autocreate_subscribe_folders: Sent")
	serveDatabases(t, s, "carol", "cyrus")
	addr := startPop3d(t, s)

	pop := func(user string, cmds ...string) []string {
		t.Helper()
		conn, err := net.DialTimeout("tcp", addr, hangTimeout)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(hangTimeout))
		br := bufio.NewReader(conn)
		var replies []string
		for _, cmd := range append([]string{"", "USER " + user, "PASS secret"}, cmds...) {
			if cmd != "" {
				fmt.Fprintf(conn, "%s\r\n", cmd)
			}
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("POP3 %q: %v", cmd, err)
			}
			replies = append(replies, strings.TrimRight(line, "\r\n"))
		}
		return replies[1:] // past the greeting
	}

	got := pop("carol", "STAT", "QUIT")
	if !strings.HasPrefix(got[1], "+OK Mailbox locked and ready") || got[2] != "+OK 0 0" {
		t.Fatalf("first POP3 login of a new user: %q", got)
	}
	got = pop("cyrus", "QUIT")
	if got[1] != "-ERR [SYS/PERM] Unable to open maildrop: Mailbox does not exist" {
		t.Errorf("POP3 login of an admin: %q", got)
	}

	st, closeStore := s.openStore(t)
	defer closeStore()
	ctx := context.Background()
	for _, name := range []string{"user.carol", "user.carol.Sent", "user.carol.Trash"} {
		if _, err := st.Lookup(ctx, name); err != nil {
			t.Errorf("%s after the first POP3 login: %v", name, err)
		}
	}
	if _, err := st.Lookup(ctx, "user.cyrus"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the admin's INBOX: %v, want none", err)
	}
	subs, err := st.Subscriptions(ctx, "carol")
	if want := []string{"user.carol", "user.carol.Sent"}; err != nil || !slices.Equal(subs, want) {
		t.Errorf("subscriptions %q, %v; want %q", subs, err, want)
	}
	q, err := st.GetQuota(ctx, "user.carol")
	if err != nil || q.Limits[store.QuotaStorage] != 2048 || q.Limits[store.QuotaMessage] != 50 {
		t.Errorf("quota of user.carol: %+v, %v", q, err)
	}
}
