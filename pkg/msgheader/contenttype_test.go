package msgheader

import (
	"reflect"
	"testing"
)

func TestContentType(t *testing.T) {
	ascii := []Param{{"charset", "us-ascii"}}
	for _, tt := range []struct {
		value  string
		ctx    Context
		typ    string
		params []Param
	}{
		{"", TopLevel, "text/plain", ascii},
		{"", InDigest, "message/rfc822", nil},
		{"Text/Plain", InDigest, "text/plain", nil},
		{"text/html; Charset=utf-8", TopLevel, "text/html", []Param{{"charset", "utf-8"}}},
		{"multipart/digest; boundary=x", InDigest, "multipart/digest", []Param{{"boundary", "x"}}},
		{"bogus", InDigest, "message/rfc822", nil},
		{"bogus", TopLevel, "text/plain", nil},
		{"text; charset=utf-8", TopLevel, "text/plain", []Param{{"charset", "utf-8"}}},
		{`text/plain; charset="unterminated`, TopLevel, "text/plain", nil},
		{`text/plain; charset="unterminated`, InDigest, "text/plain", nil},
		{"/plain", InDigest, "message/rfc822", nil},
		{"text/", TopLevel, "text/plain", ascii},
		{";;; charset=", TopLevel, "text/plain", ascii},
		// Comments anywhere (RFC 2045 §5.1): every parameter is kept.
		{`text/plain (plain text) ; charset="us-ascii" (ascii) ; format = flowed;` + "\r\n  " +
			`delsp=yes; name="quoted \"name\".txt"`, TopLevel, "text/plain",
			[]Param{{"charset", "us-ascii"}, {"format", "flowed"}, {"delsp", "yes"}, {"name", `quoted "name".txt`}}},
		{"text (a) / (b) html", TopLevel, "text/html", nil},
		// Anything but parameters after the type is a syntax error: the
		// default (a fuzzed `0/0"` was once a media type no search read).
		{`0/0"`, TopLevel, "text/plain", ascii},
		{"image/png x; name=a", TopLevel, "text/plain", ascii},
		{`application/pdf"`, InDigest, "message/rfc822", nil},
		{"image/png (unterminated", TopLevel, "text/plain", ascii},
		{"image/png (closed) ; name=a", TopLevel, "image/png", []Param{{"name", "a"}}},
		// Header order is kept, the boundary is not moved first.
		{`multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig"`, TopLevel,
			"multipart/signed", []Param{{"micalg", "pgp-sha256"}, {"protocol", "application/pgp-signature"}, {"boundary", "sig"}}},
		// A bad parameter is skipped, the others kept; the first of two wins.
		{"text/plain; junk; charset=utf-8; =x; format=fixed; charset=latin1", TopLevel, "text/plain",
			[]Param{{"charset", "utf-8"}, {"format", "fixed"}}},
		// RFC 2231: continuations joined in section order, extended values decoded.
		{"application/x; name*1*=%E8%AA%9E.bin; name*0*=UTF-8''%E6%97%A5%E6%9C%AC; x=1", TopLevel, "application/x",
			[]Param{{"name", "日本語.bin"}, {"x", "1"}}},
		{`application/x; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A`, TopLevel, "application/x",
			[]Param{{"title", "This is ***fun***"}}},
		{`application/x; name*0="very long file "; name*1="name.bin"`, TopLevel, "application/x",
			[]Param{{"name", "very long file name.bin"}}},
		{`application/x; name*=iso-8859-1''caf%E9.txt`, TopLevel, "application/x", []Param{{"name", "café.txt"}}},
		{`application/x; name*=x-unknown''caf%E9.txt`, TopLevel, "application/x", []Param{{"name", "x-unknown''caf%E9.txt"}}},
		{`application/x; name*=utf-8''bad%zz`, TopLevel, "application/x", []Param{{"name", "utf-8''bad%zz"}}},
	} {
		typ, params := ContentType(tt.value, tt.ctx)
		if typ != tt.typ || !reflect.DeepEqual(params, tt.params) {
			t.Errorf("ContentType(%q, %d) = %q %v, want %q %v", tt.value, tt.ctx, typ, params, tt.typ, tt.params)
		}
	}
	if ChildContext("multipart/digest") != InDigest || ChildContext("multipart/mixed") != TopLevel ||
		ChildContext("message/rfc822") != TopLevel {
		t.Error("ChildContext: only a multipart/digest's parts are InDigest")
	}
}

func TestParseValueDisposition(t *testing.T) {
	v, params, ok := ParseValue("Attachment (c); filename*=iso-8859-1''caf%E9.txt; size=17")
	if !ok || v != "attachment" || !reflect.DeepEqual(params, []Param{{"filename", "café.txt"}, {"size", "17"}}) {
		t.Errorf("ParseValue = %q %v %v", v, params, ok)
	}
	if _, _, ok := ParseValue(" (only a comment) "); ok {
		t.Error("a value without a token parsed")
	}
}

func TestTransferEncoding(t *testing.T) {
	for in, want := range map[string]string{
		"Quoted-Printable (comment)": "quoted-printable",
		"(c) BASE64":                 "base64",
		" 7bit ":                     "7bit",
		"":                           "",
		"(only a comment)":           "",
		"x-uuencode":                 "x-uuencode",
	} {
		if got := TransferEncoding(in); got != want {
			t.Errorf("TransferEncoding(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"text/plain; a*0*=utf-8''%41; a*1=b", `x/y; (c(d)e) a="\"q"`, "a; b*=x'y'%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, params, ok := ParseValue(s)
		if !ok && (v != "" || params != nil) {
			t.Fatalf("ParseValue(%q) not ok but returned %q %v", s, v, params)
		}
	})
}
