package msgheader

import (
	"testing"
	"time"
)

// TestParseDate: obsolete forms and comments (RFC 5322 §4.3, appendix A.5)
// give the instant written; garbage is an error.
func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"Mon, 1 Jun 2020 10:00:00 +0000":                                                   "2020-06-01T10:00:00Z",
		"1 Jun 98 10:00 EST":                                                               "1998-06-01T15:00:00Z",
		"Thu (weekday), 13 Feb 1969 23:32:54 -0330 (Newfoundland Time)":                    "1969-02-14T03:02:54Z",
		"Thu,\r\n 13\r\n   Feb\r\n  1969\r\n 23:32\r\n -0330 (Newfoundland (nested) Time)": "1969-02-14T03:02:00Z",
	} {
		got, err := ParseDate(in)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got.UTC(), err, want)
		}
	}
	for _, bad := range []string{"", "not a date at all", "(only a comment)", "Thu (unterminated"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) parsed", bad)
		}
	}
}
