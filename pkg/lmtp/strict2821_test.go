package lmtp

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"gocyrus/pkg/quota"
)

func TestApplyStrict2821(t *testing.T) {
	tests := []struct {
		addr   string
		strict bool
		want   string
		ok     bool
	}{
		{addr: "alice@localhost", strict: true, want: "alice@localhost", ok: true},
		{addr: "", strict: true, want: "", ok: true},
		{addr: "j\xc3\xb6rg@localhost", strict: true, ok: false},
		{addr: "j\xc3\xb6rg", strict: true, ok: false},
		{addr: "j\xc3\xb6rg@localhost", strict: false, want: "jXXrg@localhost", ok: true},
		{addr: "j\xc3\xb6rg+f\xc3\xa9e@localhost", strict: false, want: "jXXrg+fXXe@localhost", ok: true},
		{addr: "\xff", strict: false, want: "X", ok: true},
		// The domain and a quoted local part are not the rule's business.
		{addr: "alice@b\xc3\xbccher.example", strict: true, want: "alice@b\xc3\xbccher.example", ok: true},
		{addr: "\"j\xc3\xb6rg\"@localhost", strict: true, want: "\"j\xc3\xb6rg\"@localhost", ok: true},
		// A source route is skipped to reach the local part.
		{addr: "@relay.example:j\xc3\xb6rg@localhost", strict: true, ok: false},
		{addr: "@relay.example:j\xc3\xb6rg@localhost", strict: false, want: "@relay.example:jXXrg@localhost", ok: true},
	}
	for _, tc := range tests {
		got, ok := applyStrict2821(tc.addr, tc.strict)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("applyStrict2821(%q, %v) = %q, %v; want %q, %v", tc.addr, tc.strict, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzApplyStrict2821(f *testing.F) {
	for _, s := range []string{"alice@localhost", "j\xc3\xb6rg@x", "@a,@b:\xff@c", "\"\xff\"@x", "@", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		if _, ok := applyStrict2821(addr, true); ok && hasEightBit([]byte(addr)) {
			// Only the domain or a quoted/routed part may keep 8-bit bytes.
			start := localPartStart(addr)
			local, _, _ := strings.Cut(addr[start:], "@")
			if !strings.HasPrefix(local, "\"") && hasEightBit([]byte(local)) {
				t.Fatalf("strict mode accepted 8-bit local part %q", addr)
			}
		}
		out, ok := applyStrict2821(addr, false)
		if !ok || len(out) != len(addr) {
			t.Fatalf("lenient mode: %q -> %q, %v", addr, out, ok)
		}
		// Only the local part is rewritten; a source route keeps its bytes.
		if utf8.ValidString(addr[localPartStart(addr):]) && !utf8.ValidString(out[localPartStart(out):]) {
			t.Fatalf("lenient mode broke UTF-8: %q -> %q", addr, out)
		}
	})
}

func TestStrict2821OnTheWire(t *testing.T) {
	t.Run("strict by default", func(t *testing.T) {
		_, addr := newTestServer(t, []string{"user.jxxrg"})
		c := dialLMTP(t, addr)
		if msg := c.cmd(501, "MAIL FROM:<j\xc3\xb6rg@example.org>"); msg != "5.5.4 Syntax error in parameters" {
			t.Fatalf("MAIL: %q", msg)
		}
		c.cmd(250, "MAIL FROM:<bob@example.org>")
		if msg := c.cmd(501, "RCPT TO:<j\xc3\xb6rg@localhost>"); msg != "5.5.4 Syntax error in parameters" {
			t.Fatalf("RCPT: %q", msg)
		}
	})
	t.Run("rewritten when off", func(t *testing.T) {
		// lmtp_downcase_rcpt (on by default) then makes jXXrg jxxrg.
		srv, addr := newTestServer(t, []string{"user.jxxrg"}, "lmtp_strict_rfc2821: 0")
		c := dialLMTP(t, addr)
		r := c.send("b\xc3\xa9a@example.org", []string{"j\xc3\xb6rg@localhost"}, "Subject: hi\r\n\r\nhello\r\n")
		if !strings.HasPrefix(r[0], "250 ") {
			t.Fatalf("delivery: %q", r)
		}
		mb, _, err := srv.store.Open(context.Background(), "user.jxxrg", quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		defer mb.Close()
		v, err := mb.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Records) != 1 {
			t.Fatalf("user.jxxrg holds %d messages, want 1", len(v.Records))
		}
	})
}
