package sieve

import (
	"context"
	"strings"
	"testing"
)

// classicScript is the example from the Cyrus 2.1 documentation.
const classicScript = `require ["fileinto", "reject"];
if header :contains "Subject" "[CIRCLE]" { fileinto "INBOX.Circle List"; }
if header :contains "Subject" "A great Shockwave flash movie" { reject "Possible virus? Check your system!"; }
if header :contains "Received" ".da.uu.net" { fileinto "INBOX.Junk"; }
if anyof (not address :all :contains ["To", "Cc", "Bcc"] "yourname@youraddress.com") { fileinto "INBOX.Junk"; }
`

func TestClassicCyrusScript(t *testing.T) {
	s, err := Compile([]byte(classicScript), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, msg, want string
		wantErr         bool
	}{
		{"circle", "To: yourname@youraddress.com\nSubject: [CIRCLE] hi\n\nx\n", "fileinto INBOX.Circle List", false},
		{"plain", "To: yourname@youraddress.com\nSubject: hello\n\nx\n", "keep", false},
		{"virus", "To: yourname@youraddress.com\nSubject: A great Shockwave flash movie\n\nx\n", "reject Possible virus? Check your system!", false},
		{"uunet", "Received: from a.da.uu.net by b\nTo: yourname@youraddress.com\nSubject: hello\n\nx\n", "fileinto INBOX.Junk", false},
		{"not for me", "To: someone@else.com\nSubject: hello\n\nx\n", "fileinto INBOX.Junk", false},
		{"bcc for me", "To: someone@else.com\nBcc: YourName@YourAddress.com\nSubject: hi\n\nx\n", "keep", false},
		{"circle and junk", "To: someone@else.com\nSubject: [CIRCLE] x\n\nx\n", "fileinto INBOX.Circle List; fileinto INBOX.Junk", false},
		{"virus not for me", "To: x@y\nSubject: A great Shockwave flash movie\n\nx\n", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Run(context.Background(), newTestMessage(t, tc.msg), Env{})
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want run-time error, got %s", actionsString(res.Actions))
				}
				if !strings.Contains(err.Error(), "cannot be used with") || actionsString(res.Actions) != "keep" {
					t.Fatalf("err=%v actions=%s", err, actionsString(res.Actions))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := actionsString(res.Actions); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
