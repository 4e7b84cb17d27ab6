package mboxlist

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/cyrusdb"
)

func openList(t testing.TB) *List {
	t.Helper()
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db)
}

func mustACL(t testing.TB, s string) acl.ACL {
	t.Helper()
	a, err := acl.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func create(t testing.TB, l *List, names ...string) {
	t.Helper()
	for _, n := range names {
		err := l.Create(context.Background(), &Entry{Name: n, Partition: "default", UniqueID: "id-" + n, UIDValidity: 1,
			ACL: mustACL(t, "anyone\tlrs\t")})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func names(t *testing.T, l *List, under string) []string {
	t.Helper()
	var got []string
	if err := l.Walk(context.Background(), under, func(e *Entry) error {
		got = append(got, e.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCreateLookupOrder(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	create(t, l, "user.a-b", "user.a.x", "user.a", "shared", "user.a.x.y", "user.b")
	if err := l.Create(ctx, &Entry{Name: "user.a", Partition: "default"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate create: %v", err)
	}
	want := "shared user.a user.a.x user.a.x.y user.a-b user.b"
	if got := strings.Join(names(t, l, ""), " "); got != want {
		t.Fatalf("order = %s, want %s", got, want)
	}
	if got := strings.Join(names(t, l, "user.a"), " "); got != "user.a user.a.x user.a.x.y" {
		t.Fatalf("subtree = %s", got)
	}
	e, err := l.Lookup(ctx, "user.a.x")
	if err != nil || e.UniqueID != "id-user.a.x" || e.ACL.String() != "anyone\tlrs\t" {
		t.Fatalf("Lookup = %+v %v", e, err)
	}
	if _, err := l.Lookup(ctx, "user.zz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if ok, _ := l.HasChildren(ctx, "user.a"); !ok {
		t.Error("user.a has children")
	}
	if ok, _ := l.HasChildren(ctx, "user.b"); ok {
		t.Error("user.b has no children")
	}
}

func TestDeleteAndRenameSubtree(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	create(t, l, "user.a", "user.a.x", "user.a.x.y", "user.a.z", "user.ab")
	moved, err := l.Rename(ctx, "user.a.x", "user.a.w", "")
	if err != nil || len(moved) != 2 {
		t.Fatalf("rename: %v %v", moved, err)
	}
	if got := strings.Join(names(t, l, "user.a"), " "); got != "user.a user.a.w user.a.w.y user.a.z" {
		t.Fatalf("after rename: %s", got)
	}
	e, _ := l.Lookup(ctx, "user.a.w.y")
	if e.UniqueID != "id-user.a.x.y" || len(e.NameHistory) != 1 || !bytes.Contains(e.NameHistory[0], []byte(`"user.a.x.y"`)) {
		t.Fatalf("renamed entry = %+v", e)
	}
	// A rename onto an existing name changes nothing.
	if _, err := l.Rename(ctx, "user.a.w", "user.a.z", ""); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto existing: %v", err)
	}
	if got := strings.Join(names(t, l, "user.a"), " "); got != "user.a user.a.w user.a.w.y user.a.z" {
		t.Fatalf("after refused rename: %s", got)
	}
	removed, err := l.Delete(ctx, "user.a", true)
	if err != nil || len(removed) != 4 {
		t.Fatalf("delete: %d %v", len(removed), err)
	}
	if got := strings.Join(names(t, l, ""), " "); got != "user.ab" {
		t.Fatalf("after delete: %s", got)
	}
}

// TestConcurrentRenamesAreAtomic races renames of one tree: exactly one
// wins and the tree is never split.
func TestConcurrentRenamesAreAtomic(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	create(t, l, "user.t", "user.t.a", "user.t.b", "user.t.c")
	var wg sync.WaitGroup
	wins := make(chan string, 4)
	for _, target := range []string{"user.t1", "user.t2", "user.t3", "user.t4"} {
		wg.Add(1)
		go func(target string) {
			defer wg.Done()
			if _, err := l.Rename(ctx, "user.t", target, ""); err == nil {
				wins <- target
			}
		}(target)
	}
	wg.Wait()
	close(wins)
	var won []string
	for w := range wins {
		won = append(won, w)
	}
	if len(won) != 1 {
		t.Fatalf("winners: %v", won)
	}
	if got := strings.Join(names(t, l, ""), " "); got != strings.Join([]string{won[0], won[0] + ".a", won[0] + ".b", won[0] + ".c"}, " ") {
		t.Fatalf("list: %s", got)
	}
}

func TestModify(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	create(t, l, "user.m")
	_, err := l.Modify(ctx, "user.m", func(e *Entry) error {
		e.ACL = mustACL(t, "m\tlrswipkxtecdan\t")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := l.Lookup(ctx, "user.m")
	if e.ACL.String() != "m\tlrswipkxtecdan\t" {
		t.Fatalf("acl = %q", e.ACL.String())
	}
}

func TestSubscriptions(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	for _, m := range []string{"user.bob.x", "shared", "user.alice.y"} {
		if err := l.Subscribe(ctx, "alice", m); err != nil {
			t.Fatal(err)
		}
	}
	l.Subscribe(ctx, "alicia", "other")
	l.Unsubscribe(ctx, "alice", "shared")
	got, err := l.Subscriptions(ctx, "alice")
	if err != nil || strings.Join(got, " ") != "user.alice.y user.bob.x" {
		t.Fatalf("subs = %v %v", got, err)
	}
	l.DeleteSubscriptions(ctx, "alice")
	if got, _ := l.Subscriptions(ctx, "alicia"); len(got) != 1 {
		t.Fatalf("alicia lost her subscription: %v", got)
	}
}
