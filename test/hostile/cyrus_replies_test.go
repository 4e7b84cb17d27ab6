package hostile

import (
	"encoding/json"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
)

// cyrusCase is one case of test/compat/fixtures/hostile-replies.json: the
// steps test/compat/capture/hostile_replies.py played to a real Cyrus IMAP
// 3.6.1 (maxmessagesize 1000000, as here) and the lines it answered.
type cyrusCase struct {
	Proto string `json:"proto"`
	Name  string `json:"name"`
	Steps []struct {
		Send *string `json:"send"`
		Line bool    `json:"line"`
	} `json:"steps"`
	Until string   `json:"until"`
	Reply []string `json:"reply"`
}

// differences are the cases where gocyrus answers otherwise on purpose:
// its reply, and why (each is in the man page's DIFFERENCES too).
var differences = map[string]struct {
	reply []string
	why   string
}{
	"bare-LF message over maxmessagesize once CRLF": {
		[]string{"+ go ahead", "A NO [TOOBIG] Message size exceeds fixed limit"},
		"bare LFs are stored as CRLF (as Dovecot and Cyrus before 3.x did), and the limit applies to what is stored (imapd.8)",
	},
	"literal length with leading zeros": {
		[]string{"A BAD invalid literal size", "* BYE Fatal protocol error", "<closed>"},
		"after a malformed literal header the stream cannot be trusted, so imapd closes it; Cyrus reads the bytes that follow as a message or as commands (imapd.8)",
	},
	"literal header with a space": {
		[]string{"A BAD invalid literal", "* BYE Fatal protocol error", "<closed>"},
		"as above: Cyrus runs the literal's bytes as the next command",
	},
	"literal header with two plus signs": {
		[]string{"A BAD invalid literal", "* BYE Fatal protocol error", "<closed>"},
		"as above",
	},
	"DATA over maxmessagesize": {
		[]string{"250 2.1.0 ok", "250 2.1.5 ok", "354 go ahead", "552 5.2.3 Message size (1100018) exceeds fixed maximum message size (1000000)"},
		"the limit applies to the message the client sent, as LHLO's SIZE announces it (RFC 1870); Cyrus adds its Return-Path and Received headers first (327 bytes here) (lmtpd.8)",
	},
}

// volatile are the parts of a reply that differ from run to run.
var volatile = regexp.MustCompile(`SESSIONID=<[^>]*>`)

// TestRepliesMatchCyrus plays the captured hostile inputs to gocyrus and
// requires Cyrus's reply, line for line, except where differences says.
func TestRepliesMatchCyrus(t *testing.T) {
	data, err := os.ReadFile("../compat/fixtures/hostile-replies.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []cyrusCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases in hostile-replies.json")
	}
	for _, cc := range cases {
		t.Run(cc.Proto+"/"+cc.Name, func(t *testing.T) {
			want := cc.Reply
			if d, ok := differences[cc.Name]; ok {
				t.Logf("differs from Cyrus on purpose (%s); Cyrus: %q", d.why, cc.Reply)
				want = d.reply
			}
			bob := boxDir(t, "user.bob")
			run(t, cc.Proto, expect{mayChange: func(p string) bool { return strings.HasPrefix(p, bob) }},
				func(t *testing.T, addr string) {
					got := replay(t, cc, addr)
					if strings.Join(normalise(got), "\n") != strings.Join(normalise(want), "\n") {
						t.Errorf("reply\n got %q\nwant %q", got, want)
					}
				})
		})
	}
}

// replay logs in as bob (IMAP) or says LHLO (LMTP), plays the steps and
// returns the lines read, "<closed>" where the server closed.
func replay(t *testing.T, cc cyrusCase, addr string) []string {
	c := dial(t, addr)
	c.expectPrefix("")
	switch cc.Proto {
	case "imap":
		c.send("L LOGIN bob secret\r\n")
		c.expectTagged("L", "L OK")
	case "lmtp":
		c.send("LHLO x\r\n")
		c.expectSMTP("250")
	default:
		t.Fatalf("unknown protocol %q", cc.Proto)
	}
	var got []string
	read := func() bool {
		l, err := c.line()
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("no reply within %v after %q", hangTimeout, got)
		}
		if err != nil {
			got = append(got, "<closed>")
			return false
		}
		got = append(got, l)
		return true
	}
	for _, st := range cc.Steps {
		switch {
		case st.Send != nil:
			c.send(strings.ReplaceAll(*st.Send, "%RCPT%", "bob"))
		case st.Line:
			read()
		}
	}
	for read() {
		if cc.Until == "" || strings.HasPrefix(got[len(got)-1], cc.Until) {
			break
		}
	}
	return got
}

func normalise(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = volatile.ReplaceAllString(l, "SESSIONID=<>")
	}
	return out
}
