package main

import (
	"testing"
	"time"
)

func TestSelectionHas(t *testing.T) {
	user := selection{inbox: "user.alice"}
	prefix := selection{prefix: "user.al"}
	all := selection{}
	tests := []struct {
		sel            selection
		name, original string
		want           bool
	}{
		{user, "user.alice", "", true},
		{user, "user.alice.Sent", "", true},
		{user, "user.alicia", "", false},
		{user, "user.bob", "", false},
		{user, "DELETED.user.alice.Old.65A0B1C2", "user.alice.Old", true},
		{user, "DELETED.user.bob.65A0B1C2", "user.bob", false},
		{prefix, "user.alice", "", true},
		{prefix, "user.alan.Sent", "", true},
		{prefix, "user.bob", "", false},
		{prefix, "DELETED.user.alice.65A0B1C2", "user.alice", false},
		{all, "shared", "", true},
		{all, "DELETED.user.x.65A0B1C2", "user.x", true},
	}
	for _, tt := range tests {
		if got := tt.sel.has(tt.name, tt.original); got != tt.want {
			t.Errorf("%+v.has(%q, %q) = %v", tt.sel, tt.name, tt.original, got)
		}
	}
}

func TestMarkForTakesEverythingAtZero(t *testing.T) {
	if m := markFor(0); !m.After(time.Now()) {
		t.Errorf("markFor(0) = %v, not after now", m)
	}
	if m := markFor(48 * time.Hour); time.Since(m) < 47*time.Hour {
		t.Errorf("markFor(48h) = %v", m)
	}
}
