package main

import (
	"testing"

	"gocyrus/pkg/cyrusdbfile"
)

// The three forms of a mailboxes.db entry give the same mailbox: Cyrus
// 3.6's ("N" and the \x1f-separated name, a dlist with a uniqueid),
// 3.0–3.4's (the internal name, a dlist) and 2.x's (the internal name,
// "<type> <partition> <ACL>", written from the documented format: no
// Cyrus 2.4 was at hand).
func TestListEntryForms(t *testing.T) {
	cases := []struct {
		key, value  string
		byUUID      bool
		name, typ   string
		part, acl   string
		wantEntries bool
	}{
		{"Nuser\x1falice\x1fWork", "%(T e I abc P default V 7 A %(alice lrs))", true, "user.alice.Work", "e", "default", "alice=lrs", true},
		{"Iabc", "%(N user\x1falice\x1fWork)", true, "", "", "", "", false},
		{"user.alice.Work", "%(A %(alice lrs) I abc P default T e V 7)", false, "user.alice.Work", "e", "default", "alice=lrs", true},
		{"user.alice.Work", "0 default alice\tlrs\t", false, "user.alice.Work", "e", "default", "alice=lrs", true},
		{"user.alice.Work", "0 p2 alice\tlrs\tanyone\tr\t", false, "user.alice.Work", "e", "p2", "alice=lrs anyone=r", true},
		{"user.bob", "1 backend1!default bob\tall\t", false, "user.bob", "r", "backend1!default", "bob=all", true},
		{"DELETED.user.x.4F", "16 default ", false, "DELETED.user.x.4F", "d", "default", "", true},
		{"user.carol", "2 default", false, "user.carol", "i", "default", "", true},
	}
	for _, c := range cases {
		b, ok, err := listEntry(cyrusdbfile.Record{Key: []byte(c.key), Value: []byte(c.value)}, c.byUUID)
		if err != nil {
			t.Errorf("%q=%q: %v", c.key, c.value, err)
			continue
		}
		if ok != c.wantEntries {
			t.Errorf("%q: ok %v", c.key, ok)
			continue
		}
		if !ok {
			continue
		}
		acl := ""
		for _, a := range b.v.ACL {
			if acl != "" {
				acl += " "
			}
			acl += a.ID + "=" + a.Rights
		}
		if b.name != c.name || b.typ != c.typ || b.v.Partition != c.part || acl != c.acl {
			t.Errorf("%q=%q: %s %s %s %q, want %s %s %s %q", c.key, c.value, b.name, b.typ, b.v.Partition, acl, c.name, c.typ, c.part, c.acl)
		}
	}
}

// Damaged entries are errors (reported, the rest imported), not panics.
func TestListEntryHostile(t *testing.T) {
	for _, v := range []string{"", "x", "x default acl", "%(unterminated", "%(A)", "0"} {
		if _, _, err := listEntry(cyrusdbfile.Record{Key: []byte("user.a"), Value: []byte(v)}, false); err == nil {
			t.Errorf("%q: no error", v)
		}
	}
	if _, _, err := listEntry(cyrusdbfile.Record{Key: nil, Value: []byte("0 default")}, false); err == nil {
		t.Error("empty key: no error")
	}
	if isByUUID([]cyrusdbfile.Record{{Key: nil, Value: nil}}) {
		t.Error("an empty key made the list the 3.6 form")
	}
}
