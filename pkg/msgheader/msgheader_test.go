package msgheader

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUnfold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{" plain ", "plain"},
		{" a\r\n b", "a b"},
		{" a\r\n\t  b\r\n", "a\t  b"}, // the white space is kept, not collapsed
		{" a\n b", "a b"},             // LF line ends
		{"a\rb", "ab"},                // a bare CR never reaches a reader
		{"\r\n \r\n ", ""},
	} {
		if got := Unfold(tc.in); got != tc.want {
			t.Errorf("Unfold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"=?utf-8?q?caf=C3=A9?=", "café"},
		{"=?UTF-8?B?Y2Fmw6k=?=", "café"},
		{"=?iso-8859-1?q?caf=E9?= ok", "café ok"},
		{"=?koi8-r?b?8NLJ18XU?=", "Привет"},                    // a charset from go-message/charset
		{"=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},                  // white space between words dropped
		{"=?utf-8?q?a?=\t \t=?utf-8?q?b?= c", "ab c"},          // any amount of it
		{"x =?utf-8?q?a?= y", "x a y"},                         // kept next to text
		{"=?utf-8?b?!!!?= =?utf-8?q?a?=", "=?utf-8?b?!!!?= a"}, // bad base64 kept as written
		{"=?x-unknown?q?a?= b", "=?x-unknown?q?a?= b"},         // unknown charset kept
		{"=?utf-8?q?a?= =?nope?q?b?=", "a =?nope?q?b?="},
		{"=?utf-8?x?a?=", "=?utf-8?x?a?="},     // unknown encoding
		{"=?utf-8?q?a b?=", "=?utf-8?q?a b?="}, // space inside: not a word
		{"=?=?=?", "=?=?=?"},
		{"a=?utf-8?q?b?=c", "abc"}, // Cyrus decodes words inside text too
	} {
		if got := Decode(tc.in); got != tc.want {
			t.Errorf("Decode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFields(t *testing.T) {
	block := []byte("Subject: a\r\n b\r\n" + " stray\r\nno colon\r\n x\r\nBad Name: v\r\nFrom : f\nTo:t")
	got := Parse(block)
	want := []Field{{"Subject", " a\r\n b\r\n stray\r\n"}, {"From", " f\n"}, {"To", "t"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse = %q, want %q", got, want)
	}
	if v, ok := Get(block, "subject"); !ok || v != "a b stray" {
		t.Errorf("Get subject = %q %v", v, ok)
	}
	if v := Values([]byte("X: 1\r\nx: 2\r\n"), "X"); !reflect.DeepEqual(v, []string{"1", "2"}) {
		t.Errorf("Values = %q", v)
	}
	if _, ok := Get(block, "Cc"); ok {
		t.Error("Get found a missing field")
	}
	// A continuation at the start of the block belongs to nothing.
	if got := Parse([]byte(" x: y\r\nA: b\r\n")); len(got) != 1 || got[0].Name != "A" {
		t.Errorf("leading continuation: %q", got)
	}
}

func mbox(name, local, host string) Address {
	return Address{Name: name, Mailbox: local, Host: host}
}

func TestParseAddressList(t *testing.T) {
	start := func(n string) Address { return Address{Kind: KindGroupStart, Mailbox: n} }
	end := Address{Kind: KindGroupEnd}
	for _, tc := range []struct {
		in   string
		want []Address
	}{
		{"a@b.example", []Address{mbox("", "a", "b.example")}},
		{`"Joe Q. Public" <john.q.public@example.com>`, []Address{mbox("Joe Q. Public", "john.q.public", "example.com")}},
		{"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>", []Address{
			mbox("Mary Smith", "mary", "x.test"), mbox("", "jdoe", "example.org"), mbox("Who?", "one", "y.test")}},
		// RFC 5322 A.1.3: a group, comments everywhere.
		{`A Group(Some people):Chris Jones <c@(Chris's host.)public.example>, joe@example.org,
 John <jdoe@one.test> (my dear friend); (the end of the group)`, []Address{
			start("A Group"), mbox("Chris Jones", "c", "public.example"), mbox("", "joe", "example.org"),
			mbox("John", "jdoe", "one.test"), end}},
		{"Undisclosed recipients:;", []Address{start("Undisclosed recipients"), end}},
		{"g: a@b", []Address{start("g"), mbox("", "a", "b"), end}}, // unterminated group
		// RFC 5322 A.5: comments and white space.
		{"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", []Address{mbox("Pete", "pete", "silly.test")}},
		// Obsolete forms (RFC 5322 A.6): route, dotted phrase, empty elements, CFWS in addr-spec.
		{"<@a.test,@b.test:joe@c.test>", []Address{{Route: "@a.test,@b.test", Mailbox: "joe", Host: "c.test"}}},
		{"Joe Q. Public <joe@x.test>", []Address{mbox("Joe Q. Public", "joe", "x.test")}},
		{",, a@b ,,", []Address{mbox("", "a", "b")}},
		{"john . q @ example . com", []Address{mbox("", "john.q", "example.com")}},
		// Display names: encoded words, quoted, a comment standing in.
		{"=?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M?= <j@x.test>", []Address{mbox("Jörg M", "j", "x.test")}},
		{`"=?utf-8?q?J=C3=B6rg?=" <j@x.test>`, []Address{mbox("Jörg", "j", "x.test")}},
		{"j@x.test (=?utf-8?q?J=C3=B6rg?=)", []Address{mbox("Jörg", "j", "x.test")}},
		{`"a\"b"@x.test`, []Address{mbox("", `a"b`, "x.test")}},
		{"joe@[192.0.2.1]", []Address{mbox("", "joe", "[192.0.2.1]")}},
		// Malformed: what can be read is kept.
		{"undisclosed", []Address{mbox("", "undisclosed", "")}},
		{"<a@b", []Address{mbox("", "a", "b")}},
		{`"unterminated <a@b>`, []Address{mbox("", "unterminated <a@b>", "")}},
		// The null address is an address with nothing in it, as Cyrus keeps it.
		{"<>", []Address{{}}},
		{"<>, @nodomain", []Address{{}, mbox("", "", "nodomain")}},
		{"", nil},
		{"a@b>, c@d", []Address{mbox("", "a", "b"), mbox("", "c", "d")}},
	} {
		got := ParseAddressList(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseAddressList(%q)\n got  %+v\n want %+v", tc.in, got, tc.want)
		}
	}
}

func TestMailboxes(t *testing.T) {
	got := Mailboxes(ParseAddressList("g: a@b, c;, d@e"))
	if want := []string{"a@b", "c", "d@e"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Mailboxes = %q, want %q", got, want)
	}
}

// TestLinear: adversarial values take time linear in their size (a
// quadratic scan of 1 MB would not finish within the test's deadline).
func TestLinear(t *testing.T) {
	for _, v := range []string{
		strings.Repeat("=?x?q?AAAA", 1<<15),
		strings.Repeat("=?", 1<<17),
		strings.Repeat("(", 1<<17),
		strings.Repeat("a:", 1<<17),
		strings.Repeat("<@a,", 1<<16),
	} {
		Decode(v)
		ParseAddressList(v)
		Unfold(v)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"Subject: a\r\n b\r\nFrom: x\r\n", ": empty\r\n", " continuation first\r\n", "\x00: \x00\r\n",
		"=?utf-8?q?a?= =?utf-8?q?b?=", "=?utf-8?b?!!!?=", "x=?koi8-r?b?8NLJ18XU?=", "=?=?", "=?a?q?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := Decode(s)
		if !strings.Contains(s, "=?") && d != s {
			t.Fatalf("Decode changed text without encoded words: %q -> %q", s, d)
		}
		if Unfold(s) != Unfold(Unfold(s)) {
			t.Fatalf("Unfold is not idempotent on %q", s)
		}
		if strings.ContainsAny(Unfold(s), "\r\n") {
			t.Fatalf("Unfold left a line end in %q", s)
		}
		for _, fl := range Parse([]byte(s)) {
			if !ValidName(fl.Name) {
				t.Fatalf("field name %q from %q", fl.Name, s)
			}
		}
	})
}

func FuzzParseAddressList(f *testing.F) {
	for _, s := range []string{
		`A Group(Some people):Chris Jones <c@(Chris's host.)public.example>, joe@example.org;`,
		"<@a,@b:joe@c>", `"x\" <y>" <a@b>`, "=?utf-8?q?J=C3=B6rg?= <j@x>", "g:;", "a@b (c)", "[", "(", `"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list := ParseAddressList(s)
		depth := 0
		for _, a := range list {
			switch a.Kind {
			case KindGroupStart:
				depth++
			case KindGroupEnd:
				depth--
			}
			if depth < 0 || depth > 1 {
				t.Fatalf("unbalanced groups in %q: %+v", s, list)
			}
			if utf8.ValidString(s) && !utf8.ValidString(a.Mailbox+a.Host) {
				t.Fatalf("invalid UTF-8 made from valid input %q: %+v", s, a)
			}
		}
		if depth != 0 {
			t.Fatalf("group not ended in %q: %+v", s, list)
		}
		if len(list) > len(s)+1 {
			t.Fatalf("%d elements from %d bytes", len(list), len(s))
		}
	})
}

func TestParseMailboxStrict(t *testing.T) {
	for _, ok := range []string{
		"a@b.example", "Joe <joe@x.test>", `"Joe Q." <joe@x.test>`, "joe@x.test (Joe)",
		`"a b"@x.test`, "<@r.test:joe@x.test>", "joe@[192.0.2.1]",
	} {
		if _, err := ParseMailbox(ok); err != nil {
			t.Errorf("ParseMailbox(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{
		"", "joe", "joe@", "@x.test", "a@b, c@d", "g: a@b;", "<a@b", "a@b>", "a b@c", `"a@b`, "(a@b",
		"a@b@c", "<a@b> junk", "joe@[1.2", "a@b;", "a\x01@b", "<>",
	} {
		if a, err := ParseMailbox(bad); err == nil {
			t.Errorf("ParseMailbox(%q) = %+v, want an error", bad, a)
		}
	}
	if list, err := ParseMailboxList("a@b, C <c@d>"); err != nil || len(list) != 2 {
		t.Errorf("ParseMailboxList = %+v, %v", list, err)
	}
}

func TestParseMailboxDots(t *testing.T) {
	for _, bad := range []string{"a..b@c", ".a@c", "a.@c", "a@b..c", "a@.b", "a@b.", `a@"b"`} {
		if _, err := ParseMailbox(bad); err == nil {
			t.Errorf("ParseMailbox(%q) accepted", bad)
		}
	}
	for _, ok := range []string{"a.b@c.d", `"a..b"@c`, "a . b@c . d"} {
		if _, err := ParseMailbox(ok); err != nil {
			t.Errorf("ParseMailbox(%q): %v", ok, err)
		}
	}
}
