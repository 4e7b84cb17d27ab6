package lmtp

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

const editSample = "Return-Path: <a@b>\r\nX-Junk: 1\r\nSubject: long\r\n folded\r\nX-Junk: 2\r\n\r\nbody\r\nX-Junk: 3\r\n"

func TestParseFields(t *testing.T) {
	m := sieveMessageOf([]byte(editSample))
	if got := m.Header("subject"); !reflect.DeepEqual(got, []string{"long folded"}) {
		t.Errorf("Subject = %q", got)
	}
	if got := m.Header("X-JUNK"); !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Errorf("X-Junk = %q (the body is not the header)", got)
	}
	if got := m.Header("Nope"); got != nil {
		t.Errorf("Nope = %q", got)
	}
	if got := sieveMessageOf([]byte("\r\nno header\r\n")).Header("no header"); got != nil {
		t.Errorf("headerless message: %q", got)
	}
}

func TestEditHeaders(t *testing.T) {
	tests := []struct {
		name  string
		edits []sieve.Action
		want  string
	}{
		{"add first", []sieve.Action{{Kind: sieve.AddHeader, Header: "X-New", Value: "v"}},
			"X-New: v\r\n" + editSample},
		{"add last", []sieve.Action{{Kind: sieve.AddHeader, Header: "X-New", Value: "v", Last: true}},
			strings.Replace(editSample, "X-Junk: 2\r\n\r\n", "X-Junk: 2\r\nX-New: v\r\n\r\n", 1)},
		{"delete second", []sieve.Action{{Kind: sieve.DeleteHeader, Header: "x-junk", Index: 2}},
			strings.Replace(editSample, "X-Junk: 2\r\n\r\n", "\r\n", 1)},
		{"delete both in order", []sieve.Action{{Kind: sieve.DeleteHeader, Header: "X-Junk", Index: 1}, {Kind: sieve.DeleteHeader, Header: "X-Junk", Index: 1}},
			"Return-Path: <a@b>\r\nSubject: long\r\n folded\r\n\r\nbody\r\nX-Junk: 3\r\n"},
		{"delete folded", []sieve.Action{{Kind: sieve.DeleteHeader, Header: "Subject", Index: 1}},
			"Return-Path: <a@b>\r\nX-Junk: 1\r\nX-Junk: 2\r\n\r\nbody\r\nX-Junk: 3\r\n"},
		{"non-ASCII value is encoded", []sieve.Action{{Kind: sieve.AddHeader, Header: "X-U", Value: "café"}},
			"X-U: =?utf-8?q?caf=C3=A9?=\r\n" + editSample},
		{"missing index is a no-op", []sieve.Action{{Kind: sieve.DeleteHeader, Header: "X-Junk", Index: 3}}, editSample},
	}
	for _, tc := range tests {
		if got := string(editMessage([]byte(editSample), tc.edits)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func FuzzEditHeaders(f *testing.F) {
	for _, s := range []string{editSample, "", "\r\n", "a:b", " cont\r\nX: y\r\n\r\n", "X\n\n"} {
		f.Add(s, "X-Junk", "v", 1)
	}
	f.Fuzz(func(t *testing.T, msg, name, value string, index int) {
		out := editMessage([]byte(msg), []sieve.Action{
			{Kind: sieve.DeleteHeader, Header: name, Index: index},
			{Kind: sieve.AddHeader, Header: "X-Added", Value: value},
		})
		if !bytes.HasPrefix(out, []byte("X-Added: ")) {
			t.Fatalf("added field not first: %q", out)
		}
		sieveMessageOf(out).Header(name)
	})
}

func TestRedirectedBy(t *testing.T) {
	m := sieveMessageOf([]byte("X-Sieve-Redirected-From: carol\r\nX-Sieve-Redirected-From: <Alice>\r\n\r\n"))
	for user, want := range map[string]bool{"alice": true, "carol": true, "bob": false} {
		if got := redirectedBy(m, user); got != want {
			t.Errorf("redirectedBy(%s) = %v", user, got)
		}
	}
}

func TestWithFlags(t *testing.T) {
	got := withFlags(target{}, []string{`\Seen`, `\flagged`, "$Label1", "bad flag", `\Bogus`, "ok"})
	if got.flags == 0 || !reflect.DeepEqual(got.keywords, []string{"$Label1", "ok"}) {
		t.Errorf("withFlags = %+v", got)
	}
}

func TestCleanReason(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "Message rejected",
		"Go away":                  "Go away",
		"line one\r\n\r\nline two": "line one\nline two",
	} {
		if got := cleanReason(in); got != want {
			t.Errorf("cleanReason(%q) = %q", in, got)
		}
	}
}

// TestSieveReplies: the LMTP answers of a reject and an ereject, and a
// script that changes between deliveries is recompiled.
func TestSieveReplies(t *testing.T) {
	srv, addr := newTestServer(t, []string{"user.alice", "user.bob", "user.carol"})
	scripts := sievescripts.FromConfig(srv.store.Config())
	put := func(user, src string) {
		d, err := scripts.UserDir(user)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Put("s", []byte(src)); err != nil {
			t.Fatal(err)
		}
		if err := d.SetActive("s"); err != nil {
			t.Fatal(err)
		}
	}
	put("alice", `require "reject"; reject "Possible virus? Check your system!";`)
	put("bob", `require "ereject"; ereject "no thanks";`)
	c := dialLMTP(t, addr)
	got := c.send("x@y", []string{"alice", "bob", "carol"}, "Subject: hi\r\nMessage-ID: <r1@x>\r\n\r\nhi\r\n")
	want := []string{"550 5.7.1 Possible virus? Check your system!", "550 5.7.1 no thanks", "250 2.1.5 Success"}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("reply %d = %q, want %q", i, got[i], want[i])
		}
	}
	put("alice", `discard;`)
	if got := c.send("x@y", []string{"alice"}, "Subject: hi\r\nMessage-ID: <r2@x>\r\n\r\nhi\r\n"); !strings.HasPrefix(got[0], "250 ") {
		t.Errorf("after the new script: %q", got)
	}
}

// TestDuplicateDeliverAnnotation: the mailbox annotation lets the same
// message in twice.
func TestDuplicateDeliverAnnotation(t *testing.T) {
	srv, addr := newTestServer(t, []string{"user.alice", "user.bob"})
	ctx := t.Context()
	if err := srv.store.SetMetadata(ctx, "user.bob", duplicateDeliverEntry, "", []byte("true")); err != nil {
		t.Fatal(err)
	}
	c := dialLMTP(t, addr)
	msg := "Subject: twice\r\nMessage-ID: <twice@x>\r\nDate: Tue, 07 Jan 2025 09:00:01 +0000\r\n\r\nhi\r\n"
	for range 2 {
		c.send("x@y", []string{"alice", "bob"}, msg)
	}
	for box, want := range map[string]int{"user.alice": 1, "user.bob": 2} {
		mb, _, err := srv.store.Open(ctx, box, 0)
		if err != nil {
			t.Fatal(err)
		}
		v, err := mb.Snapshot()
		mb.Close()
		if err != nil || v.Exists() != want {
			t.Errorf("%s holds %d messages, want %d (%v)", box, v.Exists(), want, err)
		}
	}
}

// TestVacationWithoutDuplicateSuppression: the vacation memory does not
// depend on duplicatesuppression.
func TestVacationWithoutDuplicateSuppression(t *testing.T) {
	dir := t.TempDir()
	logPath := dir + "/sent"
	sm := dir + "/sendmail"
	if err := os.WriteFile(sm, []byte("#!/bin/sh\necho \"$*\" >> "+logPath+"\ncat > /dev/null\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	srv, addr := newTestServer(t, []string{"user.alice"}, "duplicatesuppression: 0", "sendmail: "+sm)
	d, err := sievescripts.FromConfig(srv.store.Config()).UserDir("alice")
	if err != nil {
		t.Fatal(err)
	}
	d.Put("v", []byte(`require "vacation"; vacation :addresses "alice@localhost" "away";`))
	d.SetActive("v")
	c := dialLMTP(t, addr)
	for i := range 3 {
		c.send("bob@remote", []string{"alice@localhost"}, fmt.Sprintf("To: alice@localhost\r\nMessage-ID: <v%d@x>\r\n\r\nhi\r\n", i))
	}
	b, _ := os.ReadFile(logPath)
	if got := strings.Count(string(b), "\n"); got != 1 {
		t.Errorf("%d vacation replies, want 1:\n%s", got, b)
	}
}
