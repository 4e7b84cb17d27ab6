package search

import (
	"testing"
	"unicode/utf8"
)

func TestBaseSubject(t *testing.T) {
	for in, want := range map[string]string{
		"hello":                     "hello",
		"Re: hello":                 "hello",
		"RE: Re: re:hello":          "hello",
		"Fwd: hello":                "hello",
		"Fw: hello (fwd)":           "hello",
		"hello (fwd) (FWD)  ":       "hello",
		"[PATCH] hello":             "hello",
		"[list] Re: [other] hello":  "hello",
		"Re[2]: hello":              "hello",
		"Re [list]: hello":          "hello",
		"[fwd: hello]":              "hello",
		"[Fwd: Re: hello (fwd)]":    "hello",
		"Re: [fwd: [list] hello]":   "hello",
		"[just a blob]":             "[just a blob]",
		"  multiple \t  spaces\r\n": "multiple spaces",
		"Re:":                       "",
		"":                          "",
		"Reply to this":             "Reply to this",
	} {
		if got := BaseSubject(in); got != want {
			t.Errorf("BaseSubject(%q) = %q, want %q", in, got, want)
		}
	}
	if _, r := baseSubject("Re: x"); !r {
		t.Error("Re: x not a reply")
	}
	if _, r := baseSubject("[list] x"); r {
		t.Error("[list] x is a reply")
	}
}

func FuzzBaseSubject(f *testing.F) {
	for _, s := range []string{"Re: [fwd: x (fwd)]", "[a][b]Fw:[c]:", "[", "]fwd:", "Re: Re:", "[fwd: ]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := BaseSubject(s)
		if len(b) > len(s) {
			t.Fatalf("base %q longer than %q", b, s)
		}
		if utf8.ValidString(s) && !utf8.ValidString(b) {
			t.Fatalf("base %q of valid %q is not UTF-8", b, s)
		}
	})
}
