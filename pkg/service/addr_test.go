package service

import (
	"strings"
	"testing"
)

func TestParseListen(t *testing.T) {
	tests := []struct {
		listen, proto, def string
		want               Addr
		err                string
	}{
		{"143", "", "", Addr{"tcp", ":143"}, ""},
		{"sieve", "tcp", "", Addr{"tcp", ":4190"}, ""},
		{"127.0.0.1:1143", "", "", Addr{"tcp", "127.0.0.1:1143"}, ""},
		{"localhost:pop3", "tcp4", "", Addr{"tcp4", "localhost:110"}, ""},
		{"[::1]:143", "tcp6", "", Addr{"tcp6", "[::1]:143"}, ""},
		{"[127.0.0.1]:25", "", "", Addr{"tcp", "127.0.0.1:25"}, ""},
		{"[::1]", "", "sieve", Addr{"tcp", "[::1]:4190"}, ""},
		{"/var/imap/socket/lmtp", "", "", Addr{"unix", "/var/imap/socket/lmtp"}, ""},
		{"./sock", "", "", Addr{"unix", "./sock"}, ""},
		{"", "", "", Addr{}, "empty"},
		{"::1:143", "", "", Addr{}, "[addr]:port"},
		{"[::1", "", "", Addr{}, "missing ']'"},
		{"[::1]x", "", "", Addr{}, "after ']'"},
		{"[::1]", "", "", Addr{}, "no port"},
		{"host:", "", "", Addr{}, "no port"},
		{"70000", "", "", Addr{}, "bad port"},
		{"12ab", "", "", Addr{}, "bad port"},
		{"nosuchservicename", "", "", Addr{}, "unknown service name"},
		{"fud", "udp", "", Addr{"udp", ":4201"}, ""},
		{"127.0.0.1:4201", "udp4", "", Addr{"udp4", "127.0.0.1:4201"}, ""},
		{"[::1]:fud", "udp6", "", Addr{"udp6", "[::1]:4201"}, ""},
		{"localhost:lmtp", "", "", Addr{"tcp", "localhost:2003"}, ""},
		{"/run/cyrus/socket/notify", "udp", "", Addr{"unixgram", "/run/cyrus/socket/notify"}, ""},
		{"143", "sctp", "", Addr{}, "unknown proto"},
		{"/" + strings.Repeat("x", 200), "", "", Addr{}, "longer than"},
	}
	for _, tt := range tests {
		got, err := ParseListen(tt.listen, tt.proto, tt.def)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseListen(%q, %q) = %v, %v; want error containing %q", tt.listen, tt.proto, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseListen(%q, %q) = %v, %v; want %v", tt.listen, tt.proto, got, err, tt.want)
		}
	}
}

func FuzzParseListen(f *testing.F) {
	for _, s := range []string{"143", "imap", "host:1", "[::1]:2", "[::1]", "/a/b", "a:b:c", "[", "]:", "-1", "0x10"} {
		f.Add(s, "tcp")
	}
	f.Fuzz(func(t *testing.T, listen, proto string) {
		a, err := ParseListen(listen, proto, "")
		if err != nil {
			return
		}
		if a.Network == "" || a.Address == "" {
			t.Fatalf("ParseListen(%q) = %+v without error", listen, a)
		}
	})
}

func TestEnvRoundTrip(t *testing.T) {
	in := Env{Service: "imap", ID: 7, Verbose: 2, IsDaemon: true, MaxChild: 50, MaxFDs: 1024, IdleTimeout: 60e9}
	vars := map[string]string{}
	for _, kv := range in.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	out, err := parseEnv(func(k string) string { return vars[k] })
	if err != nil || out != in {
		t.Fatalf("round trip: %+v, %v; want %+v", out, err, in)
	}
	if _, err := parseEnv(func(k string) string {
		if k == EnvMaxChild {
			return "-3"
		}
		return ""
	}); err == nil {
		t.Fatal("negative CYRUS_MAXCHILD accepted")
	}
}
