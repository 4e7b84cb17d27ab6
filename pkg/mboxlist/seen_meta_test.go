package mboxlist

import (
	"context"
	"testing"
)

func TestSeenState(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	if s, err := l.GetSeen(ctx, "bob", "uid1"); err != nil || s != (Seen{}) {
		t.Fatalf("unread: %+v %v", s, err)
	}
	want := Seen{LastRead: 10, LastUID: 7, LastChange: 11, SeenUIDs: "1:5,7"}
	if err := l.SetSeen(ctx, "bob", "uid1", want); err != nil {
		t.Fatal(err)
	}
	l.SetSeen(ctx, "bobby", "uid1", Seen{SeenUIDs: "1"})
	if s, _ := l.GetSeen(ctx, "bob", "uid1"); s != want {
		t.Fatalf("seen = %+v", s)
	}
	l.DeleteSeen(ctx, "bob")
	if s, _ := l.GetSeen(ctx, "bob", "uid1"); s != (Seen{}) {
		t.Fatalf("after delete: %+v", s)
	}
	if s, _ := l.GetSeen(ctx, "bobby", "uid1"); s.SeenUIDs != "1" {
		t.Fatalf("bobby lost his state: %+v", s)
	}
}

func TestMetadata(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	set := func(mbox, entry, user, val string) {
		t.Helper()
		if err := l.SetMetadata(ctx, mbox, entry, user, []byte(val)); err != nil {
			t.Fatal(err)
		}
	}
	set("user.a", "/comment", "", "shared note")
	set("user.a", "/comment", "a", "private note")
	set("user.a", "/comment", "b", "b's note")
	set("user.a", "/vendor/x/y", "", "deep")
	set("user.a", "/commentary", "", "other")
	set("", "/motd", "", "hello")
	got, err := l.ListMetadata(ctx, "user.a", "/comment", "a")
	if err != nil || len(got) != 2 || string(got[0].Value) != "shared note" || string(got[1].Value) != "private note" {
		t.Fatalf("list = %+v %v", got, err)
	}
	all, _ := l.ListMetadata(ctx, "user.a", "", "")
	if len(all) != 3 {
		t.Fatalf("all shared = %+v", all)
	}
	if v, _ := l.GetMetadata(ctx, "", "/motd", ""); string(v) != "hello" {
		t.Fatalf("server metadata = %q", v)
	}
	if err := l.SetMetadata(ctx, "user.a", "/comment", "", nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := l.GetMetadata(ctx, "user.a", "/comment", ""); v != nil {
		t.Fatalf("removed value = %q", v)
	}
	for _, bad := range []string{"comment", "/a//b", "/a/", "/a*"} {
		if err := l.SetMetadata(ctx, "user.a", bad, "", []byte("x")); err == nil {
			t.Errorf("entry %q accepted", bad)
		}
	}
	l.DeleteMetadata(ctx, "user.a")
	if all, _ := l.ListMetadata(ctx, "user.a", "", "a"); len(all) != 0 {
		t.Fatalf("after delete: %+v", all)
	}
}

func TestPrivateMetadataOfFindsOnlyThatOwner(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	for _, k := range []MetadataKey{
		{"shared.board", "/comment", "bob"}, {"", "/vendor/x", "bob"}, {"user.bob", "/comment", "bob"},
		{"shared.board", "/comment", "bobby"}, {"shared.board", "/comment", ""}, {"user.alice", "/bob", "alice"},
	} {
		if err := l.SetMetadata(ctx, k.Mailbox, k.Entry, k.User, []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.PrivateMetadataOf(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	want := []MetadataKey{{"", "/vendor/x", "bob"}, {"shared.board", "/comment", "bob"}, {"user.bob", "/comment", "bob"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
	if got, _ := l.PrivateMetadataOf(ctx, ""); len(got) != 0 {
		t.Fatalf("the shared owner \"\" matched %+v", got)
	}
}
