package imapserver

import (
	"context"
	"strings"
	"testing"

	"gocyrus/pkg/quota"
)

// TestMetadataRefusals: undefined names, bad syntax, server entries by a
// non-admin and over-long values are refused, and a refused SETMETADATA
// stores none of its entries.
func TestMetadataRefusals(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	admin := s.login("cyrus")
	deep := "/private/vendor/" + strings.Repeat("x/", 2000) + "y"
	for _, c := range []struct{ cmd, want string }{
		{`SETMETADATA INBOX (` + deep + ` "v")`, "BAD Invalid entry name"},
		{`SETMETADATA INBOX (/shared/foo "v")`, "NO Permission denied"},
		{`SETMETADATA INBOX (/private/x/y "v")`, "NO Permission denied"},
		{`SETMETADATA INBOX (/private/motd "v")`, "NO Permission denied"},
		{`SETMETADATA INBOX (/shared/vendor/a% "v")`, "BAD"},
		{`SETMETADATA INBOX (/shared/vendor/a* "v")`, "BAD"},
		{`SETMETADATA INBOX (/shared/vendor/a/ "v")`, "BAD Invalid entry name"},
		{`SETMETADATA INBOX (/shared/vendor//a "v")`, "BAD Invalid entry name"},
		{"SETMETADATA INBOX (/shared/vendor/\xc3\xa9 \"v\")", "BAD"},
		{`SETMETADATA "" (/shared/comment "v")`, "NO Permission denied"},
		{`SETMETADATA "" (/private/comment "v")`, "NO Permission denied"},
		{`SETMETADATA "" (/shared/vendor/x "v")`, "NO Permission denied"},
		// One bad entry refuses the whole command.
		{`SETMETADATA INBOX (/shared/comment "ok" /shared/foo "v")`, "NO Permission denied"},
		{"SETMETADATA INBOX (/shared/comment \"ok\" /shared/vendor/big {65537+}\r\n" + strings.Repeat("v", 65537) + ")", "NO [METADATA MAXSIZE 65536]"},
	} {
		a.expect(c.cmd, c.want)
	}
	has(t, a.ok(`GETMETADATA INBOX (/shared/comment /shared/foo /shared/vendor/big)`),
		`* METADATA INBOX ("/shared/comment" NIL "/shared/foo" NIL "/shared/vendor/big" NIL)`)
	has(t, a.ok(`GETMETADATA INBOX (/private/x/y /private/motd)`), `* METADATA INBOX ("/private/x/y" NIL "/private/motd" NIL)`)
	has(t, admin.ok(`GETMETADATA "" (/shared/comment /shared/vendor/x)`), `* METADATA "" ("/shared/comment" NIL "/shared/vendor/x" NIL)`)
	if all, err := s.st.ListMetadata(context.Background(), "user.alice", "", "alice"); err != nil || len(all) != 0 {
		t.Fatalf("stored after refusals: %v %v", all, err)
	}
	// Admins set server entries; anyone reads them.
	admin.ok(`SETMETADATA "" (/shared/comment "hello" /shared/admin "mailto:root@example.org")`)
	has(t, a.ok(`GETMETADATA "" /shared/comment`), `* METADATA "" ("/shared/comment" "hello")`)
	// Exactly the limit is accepted.
	a.ok("SETMETADATA INBOX (/shared/vendor/big {65536+}\r\n" + strings.Repeat("v", 65536) + ")")
}

// TestMetadataAllowUndefined: annotation_allow_undefined admits any name
// (syntax still checked), and annotation_maxsize sets the size limit.
func TestMetadataAllowUndefined(t *testing.T) {
	s := newTestSite(t, "annotation_allow_undefined", "1", "annotation_maxsize", "10")
	a := s.login("alice")
	a.ok(`SETMETADATA INBOX (/shared/foo "v" /private/x/y "w")`)
	has(t, a.ok(`GETMETADATA INBOX (/shared/foo /private/x/y)`), `* METADATA INBOX ("/shared/foo" "v" "/private/x/y" "w")`)
	a.expect(`SETMETADATA INBOX (/shared/foo/ "v")`, "BAD Invalid entry name")
	a.expect(`SETMETADATA INBOX (/shared/foo "01234567890")`, "NO [METADATA MAXSIZE 10]")
}

// TestMetadataQuota: values count in the X-ANNOTATION-STORAGE of the
// mailbox's quota root: a value that would go over is refused and not
// stored; replacing, removing and deleting the mailbox give usage back.
func TestMetadataQuota(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	admin := s.login("cyrus")
	admin.ok(`SETQUOTA user/alice (X-ANNOTATION-STORAGE 1)`) // 1 KiB
	a := s.login("alice")
	usage := func() int64 {
		t.Helper()
		r, err := s.st.GetQuota(ctx, "user.alice")
		if err != nil {
			t.Fatal(err)
		}
		return r.Usage[quota.AnnotationStorage]
	}
	v := strings.Repeat("v", 400)
	a.ok(`SETMETADATA INBOX (/shared/comment "` + v + `")`)
	a.ok(`SETMETADATA Work (/private/comment "` + v + `")`)
	if u := usage(); u != 800 {
		t.Fatalf("usage %d, want 800", u)
	}
	a.expect(`SETMETADATA Work (/shared/comment "`+v+`")`, "NO [OVERQUOTA]")
	has(t, a.ok(`GETMETADATA Work /shared/comment`), `* METADATA Work ("/shared/comment" NIL)`)
	if u := usage(); u != 800 {
		t.Fatalf("usage after refusal %d, want 800", u)
	}
	// Filling with many small values meets the same limit.
	n := 0
	for ; n < 100; n++ {
		if _, st := a.run(`SETMETADATA INBOX (/private/vendor/e` + itoa(n) + ` "0123456789")`); strings.HasPrefix(st, "NO [OVERQUOTA]") {
			break
		} else if !strings.HasPrefix(st, "OK") {
			t.Fatalf("filling: %s", st)
		}
	}
	if n != 22 { // 800 + 22×10 = 1020 ≤ 1024 < 1030
		t.Fatalf("%d small values fit, want 22", n)
	}
	for i := range n {
		a.ok(`SETMETADATA INBOX (/private/vendor/e` + itoa(i) + ` NIL)`)
	}
	a.ok(`SETMETADATA INBOX (/shared/comment "short")`)
	a.ok(`SETMETADATA Work (/shared/comment "` + v + `")`)
	if u := usage(); u != 805 {
		t.Fatalf("usage %d, want 805", u)
	}
	a.ok("DELETE Work")
	if u := usage(); u != 5 {
		t.Fatalf("usage after DELETE %d, want 5", u)
	}
	a.ok(`SETMETADATA INBOX (/shared/comment NIL)`)
	if u := usage(); u != 0 {
		t.Fatalf("usage after removal %d, want 0", u)
	}
}
