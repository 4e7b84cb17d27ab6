package mboxname

import "testing"

func BenchmarkToInternal(b *testing.B) {
	ns := DefaultNamespace()
	for b.Loop() {
		if _, err := ns.ToInternal("Other Users/bob/Archive/2024", "adam", false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToExternal(b *testing.B) {
	ns := DefaultNamespace()
	for b.Loop() {
		if _, err := ns.ToExternal("user.bob.Archive.2024", "adam", false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	for b.Loop() {
		Compare("user.alice.Archive.2024.x", "user.alice.Archive-2024.x")
	}
}
