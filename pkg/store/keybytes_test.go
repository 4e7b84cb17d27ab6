package store

import "testing"

// The keys on disk, byte for byte: existing databases must keep working
// (pkg/cyrusdb/keys.go).
func TestKeyBytesOnDisk(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(quotaSchemaKey), "QV"},
	} {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
