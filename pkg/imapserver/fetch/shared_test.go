package fetch

import (
	"os"
	"testing"
)

// TestSharedFixture: FETCH gives pkg/msgheader's shared fixture as SEARCH
// and Sieve see it (pkg/msgheader/testdata/README): ENVELOPE has the
// decoded Subject and From (sent re-encoded as UTF-8 words), the group as
// IMAP group markers, the malformed and unknown-charset words as written;
// BODY[HEADER.FIELDS] the fields as written, folding kept, from the cache
// and from the file alike.
func TestSharedFixture(t *testing.T) {
	raw, err := os.ReadFile("../../msgheader/testdata/shared.eml")
	if err != nil {
		t.Fatal(err)
	}
	b := newBox(t, string(raw))
	const envelope = `ENVELOPE ("Tue, 07 Jan 2025 09:00:01 +0000"` +
		` "=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln_and=09__=3D=3Futf-8=3Fb=3F!!!bad?=` +
		` =?utf-8?q?=3F=3D_=3D=3Fx-unknown=3Fq=3FZed=3F=3D_text?="` +
		` (("=?utf-8?q?J=C3=B6rg_M=C3=BCller?=" NIL "joerg" "example.org"))` +
		` (("=?utf-8?q?J=C3=B6rg_M=C3=BCller?=" NIL "joerg" "example.org"))` +
		` (("=?utf-8?q?J=C3=B6rg_M=C3=BCller?=" NIL "joerg" "example.org"))` +
		` ((NIL NIL "Friends" NIL)(NIL NIL "alice" "example.com")("Bob B." NIL "bob+lists" "example.net")` +
		`(NIL NIL NIL NIL)("=?x-unknown?q?Zed?=" NIL "zed" "example.com"))` +
		` NIL NIL NIL "<fixture@example.org>")`
	const fields = "From: =?utf-8?q?J=C3=B6rg?=\r\n =?utf-8?q?_M=C3=BCller?= <joerg@example.org>\r\n" +
		"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\t=?iso-8859-1?q?_aus_K=F6ln?= and\r\n\t  =?utf-8?b?!!!bad?= =?x-unknown?q?Zed?= text\r\n\r\n"
	got, _, err := render(b.message(0), parseItems(t, "ENVELOPE"))
	if err != nil {
		t.Fatal(err)
	}
	if got != envelope {
		t.Errorf("got  %s\nwant %s", got, envelope)
	}
	for name, m := range map[string]*Message{"cached": b.message(0), "file": fileMessage(t, raw)} {
		got, _, err := render(m, parseItems(t, "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "BODY[HEADER.FIELDS (SUBJECT FROM)] " + lit(fields); got != want {
			t.Errorf("%s: got  %q\nwant %q", name, got, want)
		}
	}
}
