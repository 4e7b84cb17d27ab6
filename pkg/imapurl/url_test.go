package imapurl

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want URL
	}{
		// RFC 4467 §9 and RFC 5092 §9 examples.
		{"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred",
			URL{Server: true, User: "joe", Host: "example.com", Mailbox: "INBOX", UID: 20, Section: "1.2", Access: "submit+fred",
				Rump: "imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred"}},
		{"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038",
			URL{Server: true, User: "joe", Host: "example.com", Mailbox: "INBOX", UID: 20, Section: "1.2", Access: "submit+fred",
				Mechanism: "INTERNAL", Token: "91354a473744909de610943775f92038",
				Rump: "imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred"}},
		{"imap://minbari.example.org/gray-council;UIDVALIDITY=385759045/;UID=20/;PARTIAL=0.1024",
			URL{Server: true, Host: "minbari.example.org", Mailbox: "gray-council", UIDValidity: 385759045, UID: 20, Partial: &Partial{0, 1024}}},
		{"imap://michael@minbari.example.org/users.*", URL{Server: true, User: "michael", Host: "minbari.example.org", Mailbox: "users.*"}},
		{"imap://psicorp.example.org/~peter/%E6%97%A5%E6%9C%AC%E8%AA%9E/%E5%8F%B0%E5%8C%97",
			URL{Server: true, Host: "psicorp.example.org", Mailbox: "~peter/日本語/台北"}},
		{"imap://;AUTH=GSSAPI@minbari.example.org/gray-council/;uid=20/;section=1.2",
			URL{Server: true, Auth: "GSSAPI", Host: "minbari.example.org", Mailbox: "gray-council", UID: 20, Section: "1.2"}},
		{"imap://minbari.example.org:1993/x?SUBJECT%20shadows", URL{Server: true, Host: "minbari.example.org", Port: 1993, Mailbox: "x", Search: "SUBJECT%20shadows"}},
		// RFC 4469 §5 relative forms.
		{"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER", URL{Mailbox: "Drafts", UIDValidity: 385759045, UID: 20, Section: "HEADER"}},
		{";UID=20/;SECTION=1", URL{Relative: true, UID: 20, Section: "1"}},
		{"/;UID=20", URL{Relative: true, UID: 20}},
		{"/INBOX/;UID=5;EXPIRE=2026-12-31T23:59:59Z;URLAUTH=anonymous",
			URL{Mailbox: "INBOX", UID: 5, Expire: time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), Access: "anonymous",
				Rump: "/INBOX/;UID=5;EXPIRE=2026-12-31T23:59:59Z;URLAUTH=anonymous"}},
	} {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if !equal(*got, tc.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.in, *got, tc.want)
		}
	}
}

func equal(a, b URL) bool {
	if (a.Partial == nil) != (b.Partial == nil) || a.Partial != nil && *a.Partial != *b.Partial {
		return false
	}
	a.Partial, b.Partial = nil, nil
	return a.Expire.Equal(b.Expire) && func() bool { a.Expire, b.Expire = time.Time{}, time.Time{}; return a == b }()
}

// TestParseHostile: each is refused with ErrSyntax, never a panic.
func TestParseHostile(t *testing.T) {
	for _, in := range []string{
		"", "imap://", "imap:///INBOX", "imap://host/;UID=1", "/INBOX/;UID=0", "/INBOX/;UID=4294967296",
		"/INBOX/;UID=99999999999999999999", "/INBOX/;UID=-1", "/INBOX/;UID=1/;SECTION=", "/%", "/%4", "/%zz",
		"/a%00b/;UID=1", "/a%0d%0aX/;UID=1", "/a%ff%fe/;UID=1", "/a%c3/;UID=1", "/a\x00b", "/a b", "/a\xc3\xa9",
		"/INBOX/;UID=1;URLAUTH=", "/INBOX/;UID=1;URLAUTH=root", "/INBOX/;UID=1;URLAUTH=submit+",
		"/INBOX/;UID=1;URLAUTH=anonymous:internal:abc", "/INBOX/;UID=1;URLAUTH=anonymous:internal:" + strings.Repeat("g", 32),
		"/INBOX/;UID=1;URLAUTH=anonymous::" + strings.Repeat("a", 32), "/INBOX/;UID=1;EXPIRE=tomorrow;URLAUTH=anonymous",
		"/INBOX/;UID=1;EXPIRE=2026-01-01T00:00:00Z", "/INBOX/;UID=1/;FOO=2", "/INBOX/;UID=1/;SECTION=1/;SECTION=2",
		"/INBOX/;UID=1/;PARTIAL=1.0", "/INBOX;UIDVALIDITY=0/;UID=1", "/INBOX;BOGUS=1", "imap://h:99999/x", "imap://h:0/x",
		"imap://@h/x", "imap://u;x@h/x", "imap://h!/x", ";UID=1?x", "/x?a?b", "/;UID=1/;UID=2", "/",
		"/" + strings.Repeat("a", MaxLen),
	} {
		u, err := Parse(in)
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrSyntax", in, u, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038",
		"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER", ";UID=20/;SECTION=1", "/a%E6%97%A5/;UID=1/;PARTIAL=5.10",
		"/INBOX/;UID=5;EXPIRE=2026-12-31T23:59:59Z;URLAUTH=anonymous", "imap://;AUTH=*@h:143/x?ALL",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error not ErrSyntax: %v", err)
			}
			return
		}
		if u.Rump != "" && !strings.HasPrefix(s, u.Rump) {
			t.Fatalf("rump %q not a prefix of %q", u.Rump, s)
		}
		if u.Relative && u.Mailbox != "" {
			t.Fatalf("relative URL with a mailbox: %+v", u)
		}
		if u.HasURLAuth() && u.UID == 0 {
			t.Fatalf("URLAUTH without a message: %+v", u)
		}
	})
}
