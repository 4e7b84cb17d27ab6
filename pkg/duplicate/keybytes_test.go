package duplicate

import "testing"

// The keys on disk, byte for byte: existing databases must keep working
// (pkg/cyrusdb/keys.go).
func TestKeyBytesOnDisk(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(Key{MessageID: "<m@x>", Mailbox: "abc123", Date: "Mon, 7 Dec 2026"}.encode()), "DUP/<m@x>\x00abc123\x00Mon, 7 Dec 2026"},
		{string(periodKey("alice", "vacation-id")), "SIEVEDUP/alice\x00vacation-id"},
	} {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
