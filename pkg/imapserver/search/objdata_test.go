package search

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"
)

// The save date keys compare the save date's day (UTC); a record without
// one is taken as saved on its internal date. EMAILID names a GUID prefix
// exactly; THREADID never matches (no conversations).
func TestMatchSaveDateAndObjectID(t *testing.T) {
	cands := newBox(t, []testMsg{
		{raw: plain(1, "a"), date: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)},
		{raw: plain(2, "b"), date: time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)},
		{raw: plain(3, "c"), date: time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC)},
	})
	cands[0].Record.SetSaveDate(time.Date(2024, 4, 1, 23, 30, 0, 0, time.UTC))
	cands[1].Record.SetSaveDate(time.Time{}) // unknown: its internal date, 5 March
	cands[2].Record.SetSaveDate(time.Date(2024, 3, 9, 0, 0, 1, 0, time.UTC))
	id := "M" + hex.EncodeToString(cands[1].Record.GUID[:12])
	for _, tc := range []struct {
		key  string
		want []uint32
	}{
		{"SAVEDON 1-Apr-2024", []uint32{1}},
		{"SAVEDON 5-Mar-2024", []uint32{2}},
		{"SAVEDBEFORE 9-Mar-2024", []uint32{2}},
		{"SAVEDSINCE 9-Mar-2024", []uint32{1, 3}},
		{"SAVEDSINCE 2-Apr-2024", nil},
		{"SAVEDATESUPPORTED", []uint32{1, 2, 3}},
		{"EMAILID " + id, []uint32{2}},
		{"NOT EMAILID " + id, []uint32{1, 3}},
		{"EMAILID " + strings.ToUpper(id), nil},
		{"EMAILID m" + id[1:], nil},
		{"EMAILID " + id[:len(id)-1], nil},
		{"EMAILID " + id + "0", nil},
		{"EMAILID " + strings.Repeat("M", 4000), nil},
		{"THREADID T" + id[1:], nil},
		{"NOT THREADID x", []uint32{1, 2, 3}},
	} {
		if got := matched(t, cands, tc.key, Env{}); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.key, got, tc.want)
		}
	}
}
