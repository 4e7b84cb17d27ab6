package lmtp

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/store"
)

const boardScript = `require ["fileinto", "reject"];
if header :contains "Subject" "urgent" { fileinto "board/urgent"; }
elsif header :contains "Subject" "closed" { fileinto "closed"; }
elsif header :contains "Subject" "spam" { reject "no spam here"; }
`

// TestSharedMailboxSieve: the global script named by a shared mailbox's
// annotation runs for deliveries to it, with the sender's rights.
func TestSharedMailboxSieve(t *testing.T) {
	srv, addr := newTestServerWith(t, nil, func(s *Server) {
		ctx := context.Background()
		for name, rights := range map[string]string{
			"board": "anyone\tp\t", "board.urgent": "anyone\tp\t",
			"closed": "anyone\tlr\t", "plain": "anyone\tp\t", "broken": "anyone\tp\t",
		} {
			opt := store.CreateOptions{Quota: quota.Ignore}
			if rights != "" {
				a, err := acl.Parse(rights)
				if err != nil {
					t.Fatal(err)
				}
				opt.ACL = a
			}
			if _, err := s.store.CreateMailbox(ctx, name, opt); err != nil {
				t.Fatal(err)
			}
		}
		global, err := sievescripts.FromConfig(s.store.Config()).GlobalDir("")
		if err != nil {
			t.Fatal(err)
		}
		if err := global.Put("board", []byte(boardScript)); err != nil {
			t.Fatal(err)
		}
		for box, script := range map[string]string{"board": "board", "broken": "nosuchscript"} {
			if err := s.store.SetMetadata(ctx, box, sharedSieveEntry, "", []byte(script)); err != nil {
				t.Fatal(err)
			}
		}
	}, "sieve_use_lmtp_reject: 1", "unixhierarchysep: 1")
	c := dialLMTP(t, addr)
	tests := []struct {
		rcpt, subject, reply string
	}{
		{"+board", "urgent: fire", "250 "},
		{"+board", "closed meeting", "250 "}, // anonymous may not post there: kept
		{"+board", "spam spam", "550 5.7.1 no spam here"},
		{"+board", "hello", "250 "},
		{"+plain", "urgent but no script", "250 "},
		{"+broken", "script missing", "250 "},
	}
	for i, tc := range tests {
		msg := "Subject: " + tc.subject + "\r\nMessage-ID: <s" + string(rune('a'+i)) + "@x>\r\n\r\nhi\r\n"
		if got := c.send("bob@remote", []string{tc.rcpt}, msg); !strings.HasPrefix(got[0], tc.reply) {
			t.Errorf("%s %q: reply %q, want %q", tc.rcpt, tc.subject, got[0], tc.reply)
		}
	}
	ctx := t.Context()
	for box, want := range map[string][]string{
		"board":        {"closed meeting", "hello"},
		"board.urgent": {"urgent: fire"},
		"closed":       nil,
		"plain":        {"urgent but no script"},
		"broken":       {"script missing"},
	} {
		mb, _, err := srv.store.Open(ctx, box, quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		v, err := mb.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range v.Records {
			b, err := os.ReadFile(mb.MessagePath(r.UID))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, sieveMessageOf(b).Header("Subject")[0])
			failed := slices.Contains(v.FlagNames(r), sieveFailedKeyword)
			if failed != (box == "broken") {
				t.Errorf("%s uid %d: flags %v", box, r.UID, v.FlagNames(r))
			}
		}
		mb.Close()
		if !slices.Equal(got, want) {
			t.Errorf("%s holds %q, want %q", box, got, want)
		}
	}
}
