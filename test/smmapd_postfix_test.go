package test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// TestSmmapdPostmap asks smmapd through Postfix's own socketmap client
// (postmap -q KEY socketmap:inet:ADDR:smmapd), as smtpd's
// local_recipient_maps would: an existing user and a postable shared
// folder are found (postmap prints the value and exits 0), an unknown
// user is not (exit 1, nothing printed), a shared folder without p is a
// lookup error (Postfix turns PERM into a failed lookup, exit 75 or
// a warning) and is not reported as found.
func TestSmmapdPostmap(t *testing.T) {
	s := newSite(t)
	st, closeStore := s.openStore(t)
	ctx := context.Background()
	for name, text := range map[string]string{"user.alice": "", "board": "anyone\tp\t", "closed": ""} {
		opt := store.CreateOptions{Quota: quota.Ignore}
		if text != "" {
			a, err := acl.Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			opt.ACL = a
		}
		if _, err := st.CreateMailbox(ctx, name, opt); err != nil {
			t.Fatal(err)
		}
	}
	closeStore()
	addr := startDaemon(t, s, "smmapd")
	postmap, err := exec.LookPath("postmap")
	if err != nil {
		postmap = "/usr/sbin/postmap"
	}
	query := func(key string) (string, int) {
		out, err := exec.Command(postmap, "-q", key, "socketmap:inet:"+addr+":smmapd").CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("postmap: %v", err)
		}
		return strings.TrimSpace(string(out)), code
	}
	for _, key := range []string{"alice", "+board"} {
		if out, code := query(key); code != 0 || out != key {
			t.Errorf("postmap -q %s: exit %d, %q; want exit 0, %q", key, code, out, key)
		}
	}
	if out, code := query("nosuch"); code != 1 || out != "" {
		t.Errorf("postmap -q nosuch: exit %d, %q; want exit 1 (not found), nothing", code, out)
	}
	if out, code := query("+closed"); code == 0 || !strings.Contains(out, "Permission denied") {
		t.Errorf("postmap -q +closed: exit %d, %q; want a failed lookup naming Cyrus's reason", code, out)
	}
}
