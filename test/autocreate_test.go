package test

import (
	"context"
	"slices"
	"testing"

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
