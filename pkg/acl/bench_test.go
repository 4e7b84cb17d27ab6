package acl

import "testing"

func BenchmarkRights(b *testing.B) {
	a, err := Parse("alice\tlrswipkxtecdan\tgroup:staff\tlrs\t-bob\tw\tanyone\tl\t")
	if err != nil {
		b.Fatal(err)
	}
	p := DefaultPolicy()
	who := Identity{User: "carol", Groups: []string{"group:staff", "group:devs"}}
	for b.Loop() {
		p.Rights(a, who, "user.alice.Shared")
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("alice\tlrswipkxtecdan\tgroup:staff\tlrs\t-bob\tw\tanyone\tl\t"); err != nil {
			b.Fatal(err)
		}
	}
}
