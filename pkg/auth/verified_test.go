package auth

import (
	"context"
	"testing"

	"gocyrus/pkg/sasldb"
)

// TestVerifiedCacheNeverOutlivesTheSasldb: a password remembered as good is
// refused once it is changed, the user deleted, or when it was never the
// password; the new password works at once.
func TestVerifiedCacheNeverOutlivesTheSasldb(t *testing.T) {
	ctx := context.Background()
	db := testSasldb(t, map[string]string{"alice": "old pw", "bob": "bob pw"})
	a := newTestAuth(t, testConfig(t), Options{SASLDB: db})
	login := func(user, pw string) error {
		_, err := a.CheckPassword(ctx, tlsConn, user, pw)
		return err
	}
	steps := []struct {
		name   string
		change func() error
		user   string
		pw     string
		want   error
	}{
		{"first login", nil, "alice", "old pw", nil},
		{"again, remembered", nil, "alice", "old pw", nil},
		{"wrong password with a remembered one", nil, "alice", "old p", ErrAuthFailed},
		{"remembered password with a suffix", nil, "alice", "old pwx", ErrAuthFailed},
		{"another user, alice's password", nil, "bob", "old pw", ErrAuthFailed},
		{"changed: old password", func() error { return db.SetPassword(ctx, "alice", "new pw", false) }, "alice", "old pw", ErrAuthFailed},
		{"changed: new password", nil, "alice", "new pw", nil},
		{"changed back: the new one no longer", func() error { return db.SetPassword(ctx, "alice", "old pw", false) }, "alice", "new pw", ErrAuthFailed},
		{"changed back: the old one again", nil, "alice", "old pw", nil},
		{"deleted", func() error { return db.Delete(ctx, "alice") }, "alice", "old pw", ErrAuthFailed},
		{"made again, other password", func() error { return db.SetPassword(ctx, "alice", "third", true) }, "alice", "old pw", ErrAuthFailed},
		{"made again, its password", nil, "alice", "third", nil},
	}
	for _, s := range steps {
		if s.change != nil {
			if err := s.change(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		wantErr(t, s.name, login(s.user, s.pw), s.want)
	}
}

// TestVerifiedCacheBounded: the cache holds at most its size, and an
// evicted user still logs in (by derivation).
func TestVerifiedCacheBounded(t *testing.T) {
	v := newVerifiedCache(3)
	c := sasldb.Credential{Salt: []byte("s"), Iters: 1, StoredKey: []byte("k")}
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		v.remember(u, "pw", c)
		if len(v.entries) > 3 {
			t.Fatalf("%d entries after %s, limit 3", len(v.entries), u)
		}
	}
	if !v.known("e", "pw", c) {
		t.Error("the latest entry is not known")
	}
	other := c
	other.Iters = 2
	if v.known("e", "pw", other) {
		t.Error("known against another credential")
	}
	v.forget("e")
	if v.known("e", "pw", c) {
		t.Error("known after forget")
	}
}

// TestVerifiedCacheKeyPerProcess: the password tag is keyed by a secret
// of the cache, so tags from one process say nothing in another.
func TestVerifiedCacheKeyPerProcess(t *testing.T) {
	pw := "a rather distinctive password"
	if newVerifiedCache(10).passwordTag("alice", pw) == newVerifiedCache(10).passwordTag("alice", pw) {
		t.Error("two caches share a key")
	}
}
