package lmtp

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/recipient"
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

func TestResolve(t *testing.T) {
	st := testStore(t)
	mkbox(t, st, "user.alice", "")
	mkbox(t, st, "user.alice.Work", "anyone\tp\t")
	mkbox(t, st, "user.alice.Private", "alice\tlrswipkxtecda\t")
	mkbox(t, st, "board", "postman\tp\t")
	anon := acl.Identity{Anonymous: true, User: "anonymous"}
	pm := acl.Identity{User: postman}
	rv := &Resolver{Store: st}
	tests := []struct {
		rcpt recipient.Recipient
		who  acl.Identity
		want string
		err  error
	}{
		{recipient.Recipient{Local: "alice"}, anon, "user.alice", nil},
		{recipient.Recipient{Local: "alice", Detail: "Work", HasDetail: true}, anon, "user.alice.Work", nil},
		{recipient.Recipient{Local: "alice", Detail: "Private", HasDetail: true}, anon, "user.alice", nil},
		{recipient.Recipient{Local: "alice", Detail: "nosuch", HasDetail: true}, anon, "user.alice", nil},
		{recipient.Recipient{Local: "nosuch"}, anon, "", ErrUnknownUser},
		{recipient.Recipient{Detail: "board", HasDetail: true, Shared: true}, pm, "board", nil},
		{recipient.Recipient{Detail: "board", HasDetail: true, Shared: true}, anon, "", ErrPermission},
		{recipient.Recipient{Detail: "nosuch", HasDetail: true, Shared: true}, pm, "", ErrUnknownUser},
	}
	for _, tc := range tests {
		got, err := rv.Resolve(context.Background(), tc.rcpt, tc.who)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("Resolve(%+v) err = %v, want %v", tc.rcpt, err, tc.err)
			}
			continue
		}
		if err != nil || got.Entry.Name != tc.want {
			t.Errorf("Resolve(%+v) = %v, %v; want %s", tc.rcpt, got.Entry, err, tc.want)
		}
	}
}

func TestExcludedSpecialUse(t *testing.T) {
	o := ResolveOptions{ExcludeSpecialUse: []string{`\Snoozed`, `\Junk`}}
	for use, want := range map[string]bool{"": false, `\Sent`: false, `\snoozed`: true, `\Sent \Junk`: true} {
		if got := o.Excluded(&mboxlist.Entry{Name: "user.bob.x", SpecialUse: use}); got != want {
			t.Errorf("Excluded(%q) = %v", use, got)
		}
	}
	// A special use is its owner's annotation: a mailbox in no user's
	// tree has none, so nothing keeps mail out of it.
	if o.Excluded(&mboxlist.Entry{Name: "shared.x", SpecialUse: `\Junk`}) {
		t.Error("Excluded(shared.x \\Junk) = true, want false")
	}
}

func TestEightBitPolicy(t *testing.T) {
	latin1 := "Subject: caf\xe9\r\n\r\nbody \xe9\r\n"
	utf := "Subject: café\r\n\r\nbody\r\n"
	tests := []struct {
		p        eightBitPolicy
		in, want string
		refused  bool
	}{
		{eightBitPolicy{}, latin1, latin1, false},
		{eightBitPolicy{munge: true}, latin1, "Subject: cafX\r\n\r\nbody \xe9\r\n", false},
		{eightBitPolicy{munge: true}, utf, utf, false},
		{eightBitPolicy{reject: true, munge: true}, utf, "", true},
		{eightBitPolicy{reject: true}, "Subject: ok\r\n\r\n\xe9", "Subject: ok\r\n\r\n\xe9", false},
	}
	for i, tc := range tests {
		got, err := tc.p.apply([]byte(tc.in))
		if (err != nil) != tc.refused || (err == nil && string(got) != tc.want) {
			t.Errorf("%d: apply = %q, %v", i, got, err)
		}
	}
}
