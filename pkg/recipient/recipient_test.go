package recipient

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	virt := Options{Postuser: "bb", VirtDomains: true, DefaultDomain: "localhost"}
	tests := []struct {
		addr string
		opt  Options
		want Recipient
		err  bool
	}{
		{addr: "<alice>", want: Recipient{Local: "alice"}},
		{addr: "alice", want: Recipient{Local: "alice"}},
		{addr: "<alice+Work>", want: Recipient{Local: "alice", Detail: "Work", HasDetail: true}},
		{addr: "<alice+a/b@localhost>", opt: virt, want: Recipient{Local: "alice", Detail: "a/b", HasDetail: true}},
		{addr: "<Alice>", opt: Options{Downcase: true}, want: Recipient{Local: "alice"}},
		{addr: "<Alice+Work>", opt: Options{Downcase: true}, want: Recipient{Local: "alice", Detail: "Work", HasDetail: true}},
		{addr: "<dave@Example.ORG>", opt: virt, want: Recipient{Local: "dave", Domain: "example.org"}},
		{addr: "<dave@example.org>", want: Recipient{Local: "dave"}},
		{addr: "<+board>", want: Recipient{Detail: "board", HasDetail: true, Shared: true}},
		{addr: "<bb+board/archive>", opt: virt, want: Recipient{Detail: "board/archive", HasDetail: true, Shared: true}},
		{addr: "<bb>", opt: virt, want: Recipient{Local: "bb"}},
		{addr: "<@relay.example:carol.smith@localhost>", want: Recipient{Local: "carol.smith"}},
		{addr: `<"quoted"@x>`, want: Recipient{Local: "quoted"}},
		{addr: "<>", err: true},
		{addr: "<alice", err: true},
		{addr: "<+>", err: true},
		{addr: "<@x>", err: true},
		{addr: "<alice@>", err: true},
		{addr: "<al ice>", err: true},
		{addr: "<" + strings.Repeat("a", 300) + ">", err: true},
		{addr: "<\xff>", err: true},
	}
	for _, tc := range tests {
		got, err := Parse(tc.addr, tc.opt)
		if tc.err {
			if !errors.Is(err, ErrBadAddress) {
				t.Errorf("Parse(%q) = %+v, %v; want ErrBadAddress", tc.addr, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.addr, got, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"<alice>", "alice+Work@example.org", "<+board>", "<@a,@b:c@d>", `"x y"@z`, "<bb+>", ""} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, addr string, virt bool) {
		opt := Options{Postuser: "bb", Downcase: true, VirtDomains: virt}
		r, err := Parse(addr, opt)
		if err != nil {
			if !errors.Is(err, ErrBadAddress) {
				t.Fatalf("error %v does not wrap ErrBadAddress", err)
			}
			return
		}
		if r.Shared == (r.Local != "") {
			t.Fatalf("%q: Shared=%v with Local=%q", addr, r.Shared, r.Local)
		}
		if r.Shared && r.Detail == "" {
			t.Fatalf("%q: shared without a folder", addr)
		}
		if strings.ContainsAny(r.UserID(), "<> \r\n\x00") {
			t.Fatalf("%q: user id %q has a forbidden byte", addr, r.UserID())
		}
	})
}
