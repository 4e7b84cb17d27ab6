package mboxlist

import "testing"

// The keys on disk, byte for byte: existing databases must keep working
// (pkg/cyrusdb/keys.go).
func TestKeyBytesOnDisk(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(nameKey("user.alice.Work")), "Muser\x00alice\x00Work"},
		{string(nameKey("example.com!user.bob")), "Mexample.com!user\x00bob"},
		{nameFromKey([]byte("Muser\x00alice\x00Work")), "user.alice.Work"},
		{string(childPrefix("user.alice")), "Muser\x00alice\x00"},
		{string(subKey("alice", "user.bob.x")), "Salice\x00user.bob.x"},
		{string(seenKey("alice", "abc123")), "Nalice\x00abc123"},
		{string(metaKey("user.alice", "/shared/comment", "")), "Auser.alice\x00/shared/comment\x00"},
		{string(metaKey("", "/private/motd", "bob")), "A\x00/private/motd\x00bob"},
	} {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
