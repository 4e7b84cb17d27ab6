package sasldb

import "testing"

// The keys on disk, byte for byte: existing databases must keep working
// (pkg/cyrusdb/keys.go).
func TestKeyBytesOnDisk(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(key("alice@example.com")), "Palice@example.com"},
	} {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
