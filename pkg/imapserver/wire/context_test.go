package wire

import (
	"reflect"
	"strings"
	"testing"
)

// RFC 5267 §4: the UPDATE and CONTEXT return options and CANCELUPDATE's
// quoted tags (a bare atom, an unterminated string or nothing is BAD).
func TestParseContext(t *testing.T) {
	for _, tt := range []struct {
		line string
		want any
	}{
		{"B01 UID SEARCH RETURN (UPDATE CONTEXT COUNT) FLAGGED", &SearchCommand{
			Return: &SearchReturn{Count: true, Update: true, Context: true}, Key: SearchKey{Op: SearchFlag, Flag: `\Flagged`}}},
		{`B04 CANCELUPDATE "B01" "B\"2"`, []string{"B01", `B"2`}},
		{"B04 CANCELUPDATE", nil},
		{"B04 CANCELUPDATE ", nil},
		{"B04 CANCELUPDATE B01", nil},
		{`B04 CANCELUPDATE "B01`, nil},
		{`B04 CANCELUPDATE "B01"x`, nil},
		{"B04 CANCELUPDATE" + strings.Repeat(` "t"`, maxCancelTags), make([]string, maxCancelTags)},
		{"B04 CANCELUPDATE" + strings.Repeat(` "t"`, maxCancelTags+1), nil}, // hostile: bounded
	} {
		if w, ok := tt.want.([]string); ok && len(w) == maxCancelTags {
			for i := range w {
				w[i] = "t"
			}
		}
		_, got, err := parseLine(t, tt.line)
		if tt.want == nil {
			if err == nil || wireErr(err) == nil || wireErr(err).Fatal {
				t.Errorf("%q: want a recoverable error, got %v (%+v)", tt.line, err, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %#v, %v; want %#v", tt.line, got, err, tt.want)
		}
	}
}
