package cyrusdb

import (
	"strings"
	"testing"
)

// The bytes on disk: existing databases must keep working, so a prefix
// never changes. Written out literally, not through the constants.
func TestKeyPrefixBytes(t *testing.T) {
	pinned := map[string]string{
		PrefixMailbox:      "\x4d",
		PrefixSubscription: "\x53",
		PrefixSeen:         "\x4e",
		PrefixMetadata:     "\x41",
		PrefixQuotaLimit:   "\x51\x4c",
		PrefixQuotaUsage:   "\x51\x55",
		PrefixQuotaCharge:  "\x51\x4d",
		PrefixQuotaPending: "\x51\x50",
		KeyQuotaUnrooted:   "\x51\x4e",
		KeyQuotaGeneration: "\x51\x47",
		KeyQuotaSchema:     "\x51\x56",
		PrefixSASL:         "\x50",
		PrefixDuplicate:    "\x44\x55\x50\x2f",
		PrefixSieveDup:     "\x53\x49\x45\x56\x45\x44\x55\x50\x2f",
		PrefixPOP3Login:    "\x70\x6f\x70\x33\x6c\x6f\x67\x69\x6e\x00",
		KeyUIDValidity:     "\x55\x56",
		PrefixURLAuthKey:   "\x75\x72\x6c\x61\x75\x74\x68\x6b\x65\x79\x00",
		PrefixUserDeny:     "\x75\x73\x65\x72\x64\x65\x6e\x79\x00",
	}
	if len(pinned) != 18 {
		t.Fatalf("two constants share bytes: %d distinct", len(pinned))
	}
	if len(KeySpaces) != len(pinned) {
		t.Errorf("KeySpaces has %d rows, the pinned table %d: every prefix needs a row in both", len(KeySpaces), len(pinned))
	}
	for _, ks := range KeySpaces {
		want, ok := pinned[ks.Prefix]
		if !ok {
			t.Errorf("KeySpaces row %q (%s) is not pinned here", ks.Prefix, ks.Owner)
			continue
		}
		if ks.Prefix != want {
			t.Errorf("prefix of %s is %q on disk, now %q", ks.Owner, want, ks.Prefix)
		}
	}
}

// No prefix starts another unless KeyOverlaps says why it is safe; an
// exact key starts nothing at all (a scan of a prefix would return it).
func TestKeyPrefixesDisjoint(t *testing.T) {
	used := map[[2]string]bool{}
	for _, a := range KeySpaces {
		for _, b := range KeySpaces {
			if a == b || !strings.HasPrefix(b.Prefix, a.Prefix) {
				continue
			}
			pair := [2]string{a.Prefix, b.Prefix}
			if why := KeyOverlaps[pair]; why == "" || a.Exact {
				t.Errorf("prefix %q (%s) starts %q (%s): pick another or document it in KeyOverlaps", a.Prefix, a.Owner, b.Prefix, b.Owner)
			}
			used[pair] = true
		}
	}
	for pair := range KeyOverlaps {
		if !used[pair] {
			t.Errorf("KeyOverlaps lists %q/%q, which do not overlap", pair[0], pair[1])
		}
	}
}
