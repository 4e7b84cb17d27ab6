package lmtp

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/recipient"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/store"
)

// TestDeletedMailboxTakesNoMail: a delayed-deleted mailbox keeps its ACL,
// yet neither a "+DELETED..." recipient nor a fileinto reaches it; a user
// who happens to be called DELETED still gets mail.
func TestDeletedMailboxTakesNoMail(t *testing.T) {
	var gone string
	srv, addr := newTestServerWith(t, nil, func(s *Server) {
		ctx := context.Background()
		for _, name := range []string{"board", "inbound"} {
			a, _ := acl.Parse("anyone\tp\t")
			if _, err := s.store.CreateMailbox(ctx, name, store.CreateOptions{Quota: quota.Ignore, ACL: a}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.store.CreateMailbox(ctx, "user.DELETED", store.CreateOptions{Quota: quota.Ignore}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.DeleteMailbox(ctx, "board"); err != nil {
			t.Fatal(err)
		}
		dels, err := s.store.ListDeleted(ctx)
		if err != nil || len(dels) != 1 {
			t.Fatalf("ListDeleted = %+v %v", dels, err)
		}
		gone = dels[0].Name
		global, err := sievescripts.FromConfig(s.store.Config()).GlobalDir("")
		if err != nil {
			t.Fatal(err)
		}
		script := `require "fileinto"; fileinto "` + strings.ReplaceAll(gone, ".", "/") + `";`
		if err := global.Put("todeleted", []byte(script)); err != nil {
			t.Fatal(err)
		}
		if err := s.store.SetMetadata(ctx, "inbound", sharedSieveEntry, "", []byte("todeleted")); err != nil {
			t.Fatal(err)
		}
	}, "unixhierarchysep: 1", "lmtp_downcase_rcpt: 0")
	rv := &Resolver{Store: srv.store}
	anon := acl.Identity{Anonymous: true, User: "anonymous"}
	if _, err := rv.Resolve(t.Context(), recipient.Recipient{Detail: gone, HasDetail: true, Shared: true}, anon); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("Resolve(+%s) = %v", gone, err)
	}
	c := dialLMTP(t, addr)
	c.cmd(250, "MAIL FROM:<bob@remote>")
	c.cmd(550, "RCPT TO:<+%s>", gone)
	c.cmd(250, "RSET")
	for _, rcpt := range []string{"+inbound", "DELETED"} {
		msg := "Subject: to " + rcpt + "\r\nMessage-ID: <" + strings.TrimPrefix(rcpt, "+") + "@x>\r\n\r\nhi\r\n"
		if got := c.send("bob@remote", []string{rcpt}, msg); !strings.HasPrefix(got[0], "250") {
			t.Errorf("%s: reply %q", rcpt, got[0])
		}
	}
	for box, want := range map[string]int{gone: 0, "inbound": 1, "user.DELETED": 1} {
		mb, _, err := srv.store.Open(t.Context(), box, quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		v, err := mb.Snapshot()
		mb.Close()
		if err != nil || int(v.Exists()) != want {
			t.Errorf("%s holds %d messages (%v), want %d", box, v.Exists(), err, want)
		}
	}
}
