package wire

import (
	"reflect"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// RETURN (METADATA ...) of RFC 9590, in Cyrus's form: one entry or a list
// of them, no GETMETADATA options.
func TestParseListReturnMetadata(t *testing.T) {
	for _, tt := range []struct {
		line string
		want *ListCommand
	}{
		{`A01 LIST "" "*" RETURN (METADATA (/private/comment "/shared/comment") STATUS (MESSAGES))`, &ListCommand{
			Patterns: []string{"*"}, Extended: true, ReturnMetadata: []string{"/private/comment", "/shared/comment"},
			ReturnStatus: &StatusItems{StatusOptions: imap.StatusOptions{NumMessages: true}}}},
		{`A01 LIST "" % RETURN (METADATA /shared/comment)`, &ListCommand{
			Patterns: []string{"%"}, Extended: true, ReturnMetadata: []string{"/shared/comment"}}},
		{`a LIST "" % RETURN (METADATA ())`, nil},
		{`a LIST "" % RETURN (METADATA)`, nil},
		{`a LIST "" % RETURN (METADATA (/shared/comment) (MAXSIZE 10))`, nil},
		{`a LIST "" % RETURN (METADATA (/shared/comment`, nil},
	} {
		_, got, err := parseLine(t, tt.line)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%q: accepted as %+v", tt.line, got)
			} else if wireErr(err) == nil || wireErr(err).Fatal {
				t.Errorf("%q: want recoverable *Error, got %#v", tt.line, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.line, err)
		} else if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", tt.line, got, tt.want)
		}
	}
}
