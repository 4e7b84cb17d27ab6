package imapserver

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gocyrus/pkg/quota"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/sievescripts"
)

// TestAutocreateAtLogin: with autocreate_quota >= 0 a user without an
// INBOX gets it at login (Cyrus's autocreate_user), with its quota, the
// autocreate_inbox_folders (special uses from xlist-*), the subscriptions
// and the Sieve script; autocreate_users limits who, and admins get none.
func TestAutocreateAtLogin(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "welcome.sieve")
	if err := os.WriteFile(script, []byte("keep;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTestSite(t, "autocreate_quota", "100", "autocreate_quota_messages", "7",
		"autocreate_inbox_folders", "Sent | Junk Mail", "autocreate_subscribe_folders", "Sent",
		"xlist-junk", "Junk Mail", "autocreate_users", "carol cyrus", "autocreate_sieve_script", script)
	ctx := context.Background()
	for _, u := range []string{"carol", "dave"} {
		if err := sasldb.New(s.st.DB()).SetPassword(ctx, u, "secret", true); err != nil {
			t.Fatal(err)
		}
	}
	c := s.login("carol")
	// The session that created the INBOX sees it at once.
	list := c.ok(`LIST "" "*"`)
	has(t, list, `* LIST (\HasNoChildren) "/" INBOX`)
	has(t, list, `* LIST (\HasNoChildren \Junk) "/" "Junk Mail"`)
	has(t, c.ok(`LSUB "" "*"`), `* LSUB () "/" Sent`)
	has(t, c.ok(`GETQUOTAROOT INBOX`), `* QUOTA INBOX (STORAGE 0 100 MESSAGE 0 7)`)
	c.ok(`APPEND INBOX {5+}` + "\r\nhi\r\n")
	for name, use := range map[string]string{"user.carol": "", "user.carol.Sent": "", "user.carol.Junk Mail": `\Junk`} {
		e, err := s.st.Lookup(ctx, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if e.SpecialUse != use {
			t.Errorf("%s: special use %q, want %q", name, e.SpecialUse, use)
		}
	}
	subs, err := s.st.Subscriptions(ctx, "carol")
	if want := []string{"user.carol", "user.carol.Sent"}; err != nil || !slices.Equal(subs, want) {
		t.Errorf("subscriptions %q, %v; want %q", subs, err, want)
	}
	q, err := s.st.GetQuota(ctx, "user.carol")
	if err != nil || q.Limits[quota.Storage] != 100 || q.Limits[quota.Message] != 7 {
		t.Errorf("quota %+v, %v", q, err)
	}
	if name, _, err := sievescripts.FromConfig(s.st.Config()).Active("carol"); err != nil || name != "welcome" {
		t.Errorf("active script %q, %v", name, err)
	}
	// A second login finds the INBOX and changes nothing.
	s.login("carol").ok("LOGOUT")
	// dave is not in autocreate_users; cyrus is an admin: neither gets one.
	s.login("dave").expect(`SELECT INBOX`, "NO")
	s.login("cyrus")
	for _, name := range []string{"user.dave", "user.cyrus"} {
		if _, err := s.st.Lookup(ctx, name); err == nil {
			t.Errorf("%s was created", name)
		}
	}
}
