package msgheader

import (
	"reflect"
	"testing"
)

func TestContentType(t *testing.T) {
	ascii := map[string]string{"charset": "us-ascii"}
	for _, tt := range []struct {
		value  string
		ctx    Context
		typ    string
		params map[string]string
	}{
		{"", TopLevel, "text/plain", ascii},
		{"", InDigest, "message/rfc822", map[string]string{}},
		{"Text/Plain", InDigest, "text/plain", map[string]string{}},
		{"text/html; Charset=utf-8", TopLevel, "text/html", map[string]string{"charset": "utf-8"}},
		{"multipart/digest; boundary=x", InDigest, "multipart/digest", map[string]string{"boundary": "x"}},
		{"bogus", InDigest, "message/rfc822", map[string]string{}},
		{"bogus", TopLevel, "text/plain", map[string]string{}},
		{"text; charset=utf-8", TopLevel, "text/plain", map[string]string{"charset": "utf-8"}},
		{`text/plain; charset="unterminated`, TopLevel, "text/plain", ascii},
		{`text/plain; charset="unterminated`, InDigest, "message/rfc822", map[string]string{}},
		{"/plain", InDigest, "message/rfc822", map[string]string{}},
	} {
		typ, params := ContentType(tt.value, tt.ctx)
		if typ != tt.typ || !reflect.DeepEqual(params, tt.params) {
			t.Errorf("ContentType(%q, %d) = %q %v, want %q %v", tt.value, tt.ctx, typ, params, tt.typ, tt.params)
		}
	}
	if ChildContext("multipart/digest") != InDigest || ChildContext("multipart/mixed") != TopLevel ||
		ChildContext("message/rfc822") != TopLevel {
		t.Error("ChildContext: only a multipart/digest's parts are InDigest")
	}
}
