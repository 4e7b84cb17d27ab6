package sieve

import (
	"os"
	"testing"
)

// TestSharedFixture: Sieve sees pkg/msgheader's shared fixture as SEARCH
// and FETCH do (pkg/msgheader/testdata/README): the folded, encoded
// Subject and From decoded, the malformed and unknown-charset words kept
// as written, the group's members as addresses and the group not.
func TestSharedFixture(t *testing.T) {
	raw, err := os.ReadFile("../msgheader/testdata/shared.eml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []runCase
	for _, tc := range []struct {
		test string
		want bool
	}{
		{"header :is \"subject\" \"Grüße aus Köln and\t  =?utf-8?b?!!!bad?= =?x-unknown?q?Zed?= text\"", true},
		{`header :contains "subject" "=?x-unknown?q?Zed?= text"`, true},
		{`header :contains "subject" "=?utf-8?q?"`, false},
		{`header :contains "from" "Jörg Müller"`, true},
		{`address :localpart :is "from" "joerg"`, true},
		{`address :all :is "to" "alice@example.com"`, true},
		{`address :localpart :is "to" "bob+lists"`, true},
		{`address :user :is "to" "bob"`, true},
		{`address :detail :is "to" "lists"`, true},
		{`address :domain :is "to" "example.net"`, true},
		{`address :all :is "to" "zed@example.com"`, true},
		{`address :all :contains "to" "Friends"`, false},
		{`header :contains "to" "=?x-unknown?q?Zed?="`, true},
	} {
		want := "fileinto no"
		if tc.want {
			want = "fileinto yes"
		}
		cases = append(cases, runCase{name: tc.test, msg: string(raw),
			script: `require ["fileinto", "subaddress"]; if ` + tc.test + ` { fileinto "yes"; } else { fileinto "no"; }`,
			want:   want})
	}
	runCases(t, Options{}, cases)
}
