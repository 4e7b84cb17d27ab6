package msgheader

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// The shared fixture (testdata/README) as this package reads it; the
// consumer packages' tests on the same file expect the same values.
func TestSharedFixture(t *testing.T) {
	raw, err := os.ReadFile("testdata/shared.eml")
	if err != nil {
		t.Fatal(err)
	}
	block, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	h := ParseHeader(block)
	if got, want := Text(h.Raw("Subject")), "Grüße aus Köln and\t  =?utf-8?b?!!!bad?= =?x-unknown?q?Zed?= text"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	from, _ := h.Get("From")
	if got, want := ParseAddressList(from), []Address{mbox("Jörg Müller", "joerg", "example.org")}; !reflect.DeepEqual(got, want) {
		t.Errorf("From = %+v, want %+v", got, want)
	}
	to, _ := h.Get("To")
	want := []Address{
		{Kind: KindGroupStart, Mailbox: "Friends"},
		mbox("", "alice", "example.com"), mbox("Bob B.", "bob+lists", "example.net"),
		{Kind: KindGroupEnd},
		mbox("=?x-unknown?q?Zed?=", "zed", "example.com"),
	}
	if got := ParseAddressList(to); !reflect.DeepEqual(got, want) {
		t.Errorf("To = %+v\nwant %+v", got, want)
	}
}
