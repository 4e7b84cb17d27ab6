package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

func newTestStore(t *testing.T) *store.Store {
	t.Helper()
	dir := t.TempDir()
	cfg := config.New()
	for k, v := range map[string]string{
		"configdirectory":   filepath.Join(dir, "config"),
		"partition-default": filepath.Join(dir, "spool"),
		"partition-other":   filepath.Join(dir, "other"),
		"defaultpartition":  "default",
	} {
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	db, err := cyrusdb.Open(filepath.Join(dir, "config"), cyrusdb.Options{})
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

// snapshot is every record of the store, to show a refusal wrote nothing.
func snapshot(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	all := map[string]string{}
	if err := st.DB().Scan(context.Background(), nil, func(k, v []byte, _ uint64) error {
		all[string(k)] = string(v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return all
}

func mustView(t *testing.T, st *store.Store, file string) *view {
	t.Helper()
	v, err := viewOf(file, st)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func getValue(t *testing.T, v *view, key string) string {
	t.Helper()
	val, err := get(context.Background(), v, []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return string(val)
}

// annotationValue is Cyrus's binary annotation value of s.
func annotationValue(s string) string {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(s)))
	b = append(b, 0, 0, 0, 0)
	return string(append(append(b, s...), "\x00text/plain\x00"...))
}

const (
	idA = "aaaaaaaaaaaaaaaaaaaaaaaa"
	idN = "0123456789abcdefghijklmn"
)

// TestSetGetDelete: per view, a set then a get shows the record as
// written, a second set replaces it, and a delete removes it (twice: an
// absent key is no error, as in Cyrus).
func TestSetGetDelete(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	a, err := st.CreateMailbox(ctx, "user.a", store.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v1 := "%(T e I " + idN + " P default V 1700000000 C 1 F 1 M 1700000000 A %(dbw lrswipkxtecdan))"
	v2 := "%(T e I " + idN + " P other V 1700000000 C 1 F 1 M 1700000000 A %(dbw lrswipkxtecdan anyone lr))"
	for _, c := range []struct {
		file, key    string
		v1, v2       string
		want1, want2 string // what get shows ("" = the value set)
		after        func(t *testing.T)
		deletedShows string
	}{
		{file: "mailboxes.db", key: "Nuser\x1fdbw", v1: v1, v2: v2, after: func(t *testing.T) {
			e, err := st.Lookup(ctx, "user.dbw")
			if err != nil || e.UniqueID != idN || e.Partition != "other" || e.ACL.String() != "dbw\tlrswipkxtecdan\tanyone\tlr\t" {
				t.Errorf("entry %+v %v", e, err)
			}
		}},
		{file: "mailboxes.db", key: "I" + idN, v1: strings.Replace(v1, "%(T e I "+idN, "%(T e N user\x1fdbi", 1),
			v2:    strings.Replace(v2, "%(T e I "+idN, "%(T e N user\x1fdbi", 1),
			want1: "%(T e N user\x1fdbi P default V 1700000000 C 1 F 1 M 1700000000 A %(dbw lrswipkxtecdan) H ())",
			want2: "%(T e N user\x1fdbi P other V 1700000000 C 1 F 1 M 1700000000 A %(dbw lrswipkxtecdan anyone lr) H ())"},
		{file: "quota", key: "user.a", v1: "%(S (0 100) M (0 5))", v2: "%(S (0 200))",
			want1: "%(S (0 100) M (0 5) AS (0) NF (1) MODSEQ 0)", want2: "%(S (0 200) M (0) AS (0) NF (1) MODSEQ 0)"},
		{file: "cyrus.seen", key: a.UniqueID, v1: "1 1700000000 3 1700000001 1:3", v2: "1 1700000002 4 1700000003 1:2,4"},
		{file: "cyrus.sub", key: "Nuser\x1fa", v1: "", v2: ""},
		{file: "annotations.db", key: a.UniqueID + "\x00/comment\x00\x00", v1: annotationValue("hello"), v2: annotationValue("world"),
			want1: annotationValue("hello") + strings.Repeat("\x00", 17), want2: annotationValue("world") + strings.Repeat("\x00", 17)},
		{file: "annotations.db", key: a.UniqueID + "\x00/comment\x00cyrus\x00", v1: annotationValue("mine"), v2: annotationValue(""),
			want1: annotationValue("mine") + strings.Repeat("\x00", 17), want2: annotationValue("") + strings.Repeat("\x00", 17)},
	} {
		t.Run(fmt.Sprintf("%s %q", c.file, c.key), func(t *testing.T) {
			v := mustView(t, st, c.file)
			for i, val := range []string{c.v1, c.v2} {
				want := []string{c.want1, c.want2}[i]
				if want == "" {
					want = val
				}
				if err := v.set(ctx, []byte(c.key), []byte(val)); err != nil {
					t.Fatalf("set %q: %v", val, err)
				}
				if c.file == "mailboxes.db" {
					// The modseqs and mtime are the list's to keep.
					if got := getValue(t, v, c.key); !sameFields(got, want) {
						t.Errorf("get after set %d: %q, want %q", i+1, got, want)
					}
				} else if got := getValue(t, v, c.key); got != want {
					t.Errorf("get after set %d: %q, want %q", i+1, got, want)
				}
			}
			if c.after != nil {
				c.after(t)
			}
			for range 2 {
				if err := v.del(ctx, []byte(c.key)); err != nil {
					var r *refusal
					if c.key[0] == 'I' && errors.As(err, &r) {
						// An I record goes with its N record.
						if err := mustView(t, st, "mailboxes.db").del(ctx, []byte("Nuser\x1fdbi")); err != nil {
							t.Fatal(err)
						}
						continue
					}
					t.Fatalf("delete: %v", err)
				}
			}
			if got := getValue(t, v, c.key); got != "" {
				t.Errorf("get after delete: %q", got)
			}
		})
	}
}

// sameFields compares two list values but for the fields the list keeps
// itself (F, the folder modseq a change takes).
func sameFields(a, b string) bool {
	strip := func(s string) string {
		f := strings.Fields(s)
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "F" {
				f[i+1] = "<n>"
			}
		}
		return strings.Join(f, " ")
	}
	return strip(a) == strip(b)
}

// TestRefusalsChangeNothing: a value that does not parse, holds a NUL, is
// huge, or would break an invariant, and a key of no known form, are
// refused and leave every record as it was.
func TestRefusalsChangeNothing(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	a, err := st.CreateMailbox(ctx, "user.a", store.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetQuota(ctx, "user.a", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("x", 2<<20)
	good := "%(T e I " + idA + " P default V 1 A %(x lrs))"
	for _, c := range []struct {
		file, key, val, why string
		del                 bool
	}{
		{"mailboxes.db", "Nuser\x1fb", "garbage(", "dlist", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e I " + idA + " P def\x00ault)", "NUL", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e I " + idA + " P " + huge + ")", "more than", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e I " + a.UniqueID + " P default)", "is that of the existing mailbox user.a", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e I " + idA + " P nowhere)", "not configured", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e P default)", "no uniqueid", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T eQ I " + idA + " P default)", "unknown mbtype", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e I " + idA + " P default A %(x lrQ))", "ACL entry", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e I " + idA + " P default V x)", "not a number", false},
		{"mailboxes.db", "Nuser\x1fb", "%(T e N user\x1fc I " + idA + " P default)", "names mailbox user.c", false},
		{"mailboxes.db", "Nuser\x1f\x1fb", good, "mailbox user..b", false},
		{"mailboxes.db", "Xuser\x1fb", good, "unknown key", false},
		{"mailboxes.db", "", good, "empty key", false},
		{"mailboxes.db", strings.Repeat("N", 5000), good, "more than", false},
		{"mailboxes.db", "I" + idA, good, "names its mailbox", false},
		{"mailboxes.db", "I" + a.UniqueID, "", "delete its N record", true},
		{"mailboxes.db", "Xuser\x1fa", "", "unknown key", true},
		{"quota", "user.a", "%(S (0 x))", "not a number", false},
		{"quota", "user.a", "%(S (0 9007199254740993))", "out of range", false},
		{"quota", "user.a", "%(Q (0 1))", "unknown quota resource", false},
		{"quota", "user..a", "%(S (0 1))", "quota root", false},
		{"quota", "user.a", huge, "more than", false},
		{"cyrus.seen", a.UniqueID, "2 0 0 0 1", "not \"1", false},
		{"cyrus.seen", a.UniqueID, "1 0 0 0 1\x00", "not a UID set", false},
		{"cyrus.seen", "a b", "1 0 0 0 1", "printable", false},
		{"cyrus.sub", "Nuser\x1fa", "x", "value is empty", false},
		{"cyrus.sub", "Auser\x1fa", "", "unknown key", false},
		{"cyrus.sub", "\x1fVER\x1f", "3", "version record", false},
		{"cyrus.sub", "\x1fVER\x1f", "", "version record stays", true},
		{"annotations.db", idA + "\x00/comment\x00\x00", annotationValue("x"), "no mailbox has uniqueid", false},
		{"annotations.db", a.UniqueID + "\x00/a//b\x00\x00", annotationValue("x"), "invalid metadata entry", false},
		{"annotations.db", a.UniqueID + "\x00/comment\x00\x00", "\x00\x00\x00\x09\x00\x00\x00\x00x", "runs past", false},
		{"annotations.db", a.UniqueID + "\x00comment", annotationValue("x"), "is not <mailbox>", false},
	} {
		before := snapshot(t, st)
		v := mustView(t, st, c.file)
		var err error
		if c.del {
			err = v.del(ctx, []byte(c.key))
		} else {
			err = v.set(ctx, []byte(c.key), []byte(c.val))
		}
		var r *refusal
		if !errors.As(err, &r) || !strings.Contains(r.msg, c.why) {
			t.Errorf("%s %.40q %.60q: %v, want a refusal with %q", c.file, c.key, c.val, err, c.why)
		}
		if after := snapshot(t, st); !maps.Equal(before, after) {
			t.Errorf("%s %.40q %.60q: refused, but the records changed", c.file, c.key, c.val)
		}
	}
}

// TestConsistent: a damaged list entry makes consistent fail.
func TestConsistent(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	if _, err := st.CreateMailbox(ctx, "user.a", store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	v := mustView(t, st, "mailboxes.db")
	if err := v.consistent(ctx); err != nil {
		t.Fatal(err)
	}
	key := append([]byte(cyrusdb.PrefixMailbox), "user\x00b"...)
	if err := st.DB().Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: key, Val: []byte("{not json")}}); err != nil {
		t.Fatal(err)
	}
	if err := v.consistent(ctx); err == nil || !strings.Contains(err.Error(), "damaged mailbox list entries") {
		t.Errorf("consistent on a damaged list: %v", err)
	}
}
