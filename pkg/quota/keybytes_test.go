package quota

import "testing"

// The keys on disk, byte for byte: existing databases must keep working
// (pkg/cyrusdb/keys.go).
func TestKeyBytesOnDisk(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(limitKey("user.alice")), "QLuser.alice"},
		{string(usageKey("user.alice")), "QUuser.alice"},
		{string(mailboxKey("user.alice.Work")), "QMuser.alice.Work"},
		{string(pendingKey("abc123")), "QPabc123"},
		{string(bucketKey("")), "QN"},
		{string(genKey), "QG"},
	} {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
