package lmtp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
)

// TestAutocreatePost: a delivery to a user without an INBOX creates it
// with its quota, folders, special uses, subscriptions and Sieve script;
// autocreate_users limits who.
func TestAutocreatePost(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "welcome.sieve")
	if err := os.WriteFile(script, []byte(`require "fileinto"; if header :contains "Subject" "junk" { fileinto "INBOX.Junk Mail"; }`), 0o644); err != nil {
		t.Fatal(err)
	}
	groups := filepath.Join(dir, "group")
	if err := os.WriteFile(groups, []byte("staff:x:50:erin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, addr := newTestServerWith(t, nil, func(s *Server) {
		s.resolver.Opt.Autocreate.Groups = &acl.GroupReader{Path: groups}
	},
		"unixhierarchysep: 0", "altnamespace: 0", "autocreate_post: 1", "autocreate_quota: 100", "autocreate_quota_messages: 2",
		"autocreate_inbox_folders: Sent | Junk Mail", "autocreate_subscribe_folders: Sent",
		"xlist-junk: Junk Mail", "autocreate_users: carol group:staff", "autocreate_sieve_script: "+script)
	c := dialLMTP(t, addr)
	c.cmd(250, "MAIL FROM:<bob@remote>")
	c.cmd(550, "RCPT TO:<dave>") // not in autocreate_users
	c.cmd(250, "RSET")
	if got := c.send("bob@remote", []string{"carol", "erin"}, "Subject: junk offer\r\nMessage-ID: <a1@x>\r\n\r\nhi\r\n"); !strings.HasPrefix(got[0], "250 ") || !strings.HasPrefix(got[1], "250 ") {
		t.Fatalf("first delivery: %q", got)
	}
	c.send("bob@remote", []string{"carol"}, "Subject: hello\r\nMessage-ID: <a2@x>\r\n\r\nhi\r\n")
	ctx := t.Context()
	st := srv.store
	for _, user := range []string{"carol", "erin"} {
		for name, use := range map[string]string{"user." + user: "", "user." + user + ".Sent": "", "user." + user + ".Junk Mail": `\Junk`} {
			e, err := st.Lookup(ctx, name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if e.SpecialUse != use {
				t.Errorf("%s: special use %q, want %q", name, e.SpecialUse, use)
			}
		}
		subs, err := st.Subscriptions(ctx, user)
		if want := []string{"user." + user, "user." + user + ".Sent"}; err != nil || !slices.Equal(subs, want) {
			t.Errorf("%s subscriptions %q, %v; want %q", user, subs, err, want)
		}
		q, err := st.GetQuota(ctx, "user."+user)
		if err != nil || q.Limits[quota.Storage] != 100 || q.Limits[quota.Message] != 2 {
			t.Errorf("%s quota %+v, %v", user, q, err)
		}
		if name, _, err := sievescripts.FromConfig(st.Config()).Active(user); err != nil || name != "welcome" {
			t.Errorf("%s active script %q, %v", user, name, err)
		}
	}
	if _, err := st.Lookup(ctx, "user.dave"); err == nil {
		t.Error("user.dave was created")
	}
	count := func(box string) int {
		mb, _, err := st.Open(ctx, box, quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		defer mb.Close()
		v, err := mb.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		return v.Exists()
	}
	// The script installed at creation already filed the first message.
	for box, want := range map[string]int{"user.carol": 1, "user.carol.Junk Mail": 1, "user.erin.Junk Mail": 1} {
		if got := count(box); got != want {
			t.Errorf("%s holds %d messages, want %d", box, got, want)
		}
	}
}

// TestAutocreatePostNeverForAdmins: as Cyrus's autocreate_user, a
// delivery autocreates no INBOX for anyone admins or proxyservers name,
// directly or by a group, even with autocreate_users: anyone; their
// recipients are unknown users. Another user still gets one.
func TestAutocreatePostNeverForAdmins(t *testing.T) {
	groups := filepath.Join(t.TempDir(), "group")
	if err := os.WriteFile(groups, []byte("ops:x:60:oper\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, addr := newTestServerWith(t, nil, func(s *Server) {
		s.resolver.Opt.Autocreate.Groups = &acl.GroupReader{Path: groups}
	},
		"autocreate_post: 1", "autocreate_quota: 0", "autocreate_users: anyone",
		"admins: cyrus group:ops", "proxyservers: murder")
	c := dialLMTP(t, addr)
	c.cmd(250, "MAIL FROM:<bob@remote>")
	for _, admin := range []string{"cyrus", "oper", "murder"} {
		c.cmd(550, "RCPT TO:<%s>", admin)
	}
	c.cmd(250, "RCPT TO:<carol>")
	c.cmd(250, "RSET")
	ctx := t.Context()
	for _, admin := range []string{"cyrus", "oper", "murder"} {
		if _, err := srv.store.Lookup(ctx, "user."+admin); err == nil {
			t.Errorf("user.%s was autocreated", admin)
		}
	}
	if _, err := srv.store.Lookup(ctx, "user.carol"); err != nil {
		t.Errorf("user.carol: %v", err)
	}
}
