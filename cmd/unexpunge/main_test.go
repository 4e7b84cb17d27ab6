package main

import (
	"fmt"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
)

func TestSelectUIDs(t *testing.T) {
	now := time.Now()
	kept := []mailbox.ExpungedMessage{
		{UID: 3, ExpungedAt: now.Add(-48 * time.Hour)},
		{UID: 5, ExpungedAt: now.Add(-time.Minute)},
		{UID: 9, ExpungedAt: now},
	}
	tests := []struct {
		req  request
		want string
	}{
		{request{mode: modeAll}, "[3 5 9]"},
		{request{mode: modeTime, since: now.Add(-time.Hour)}, "[5 9]"},
		{request{mode: modeTime, since: now.Add(time.Hour)}, "[]"},
		{request{mode: modeUID, uids: []uint32{9, 4, 3}}, "[3 9]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(selectUIDs(kept, tt.req)); got != tt.want {
			t.Errorf("selectUIDs(%+v) = %s, want %s", tt.req, got, tt.want)
		}
	}
}

func TestValidKeyword(t *testing.T) {
	for s, want := range map[string]bool{
		"restored": true, "$Junk": true, `\Seen`: false, "": false, "a b": false,
		"a(b": false, "a]": false, "ü": false, "a*": false,
	} {
		if got := validKeyword(s); got != want {
			t.Errorf("validKeyword(%q) = %v", s, got)
		}
	}
}
