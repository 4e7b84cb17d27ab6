package duration

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		def  time.Duration
		want time.Duration
		err  string
	}{
		{"3", Day, 3 * Day, ""},
		{"0", Day, 0, ""},
		{"28d", time.Second, 28 * Day, ""},
		{"2w", Day, 2 * Week, ""},
		{"12h", Day, 12 * time.Hour, ""},
		{"90m", Day, 90 * time.Minute, ""},
		{"45s", Day, 45 * time.Second, ""},
		{"45", time.Second, 45 * time.Second, ""},
		{"1d12h", Day, 36 * time.Hour, ""},
		{"1h30m15s", Day, time.Hour + 30*time.Minute + 15*time.Second, ""},
		{"", Day, 0, "empty"},
		{"x", Day, 0, "want a number"},
		{"-1", Day, 0, "want a number"},
		{"3x", Day, 0, "unknown unit"},
		{"3 d", Day, 0, "unknown unit"},
		{"1d2", Day, 0, "must stand alone"},
		{"d", Day, 0, "want a number"},
		{"1.5d", Day, 0, "unknown unit"},
		{"99999999999999999999", Day, 0, "too large"},
		{"999999999w", Day, 0, "too large"},
		{"106751d106751d", Day, 0, "too large"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.def)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestDays(t *testing.T) {
	if got := Days(36 * time.Hour); got != "1.50" {
		t.Errorf("Days = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"3", "28d", "1d12h", "2w", "x", "", "1d2", "99999999999999999999s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s, Day)
		if err == nil && d < 0 {
			t.Fatalf("Parse(%q) = %v: negative", s, d)
		}
	})
}
