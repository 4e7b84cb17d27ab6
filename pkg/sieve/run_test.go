package sieve

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"
)

type runCase struct {
	name    string
	script  string
	msg     string // "" = basicMessage
	env     Env
	want    string // actionsString of the result
	wantErr string // substring of the run-time error
}

func runCases(t *testing.T, opts Options, cases []runCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Compile([]byte(tc.script), opts)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			raw := tc.msg
			if raw == "" {
				raw = basicMessage
			}
			env := tc.env
			if env.Envelope == (Envelope{}) {
				env.Envelope = Envelope{From: "alice@example.org", To: "yourname@youraddress.com"}
			}
			if env.Now.IsZero() {
				env.Now = time.Date(2025, 4, 6, 12, 30, 0, 0, time.UTC) // a Sunday
			}
			res, err := s.Run(context.Background(), newTestMessage(t, raw), env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error containing %q, got %v (actions %s)", tc.wantErr, err, actionsString(res.Actions))
				}
				return
			}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if got := actionsString(res.Actions); got != tc.want {
				t.Fatalf("got  %q\nwant %q\nlog %v", got, tc.want, res.Log)
			}
		})
	}
}

func TestRunBase(t *testing.T) {
	runCases(t, Options{}, []runCase{
		{name: "implicit keep", script: "", want: "keep"},
		{name: "discard", script: "discard;", want: "discard"},
		{name: "stop", script: "stop; discard;", want: "keep"},
		{name: "redirect dedup", script: `redirect "a@b.c"; redirect "A@B.C";`, want: "redirect a@b.c"},
		{name: "keep and discard", script: "keep; discard;", want: "keep"},
		{name: "else branch", script: `if header :is "Subject" "nope" { discard; } elsif false { discard; } else { redirect "x@y.z"; }`, want: "redirect x@y.z"},
		{name: "header is casemap", script: `if header :is "subject" "[circle] WEEKLY meeting" { discard; }`, want: "discard"},
		{name: "header octet", script: `require "comparator-i;octet"; if header :comparator "i;octet" :is "Subject" "[circle] weekly meeting" { discard; }`, want: "keep"},
		{name: "matches", script: `if header :matches "Subject" "[*] ?eekly*" { discard; }`, want: "discard"},
		{name: "matches escaped star", script: `if header :matches "Subject" "\\*" { discard; }`, want: "keep"},
		{name: "address domain", script: `if address :domain :is "From" "EXAMPLE.org" { discard; }`, want: "discard"},
		{name: "address localpart", script: `if address :localpart :is "To" "bob+lists" { discard; }`, want: "discard"},
		{name: "address all excludes name", script: `if address :all :is "To" "Bob" { discard; }`, want: "keep"},
		{name: "exists", script: `if exists ["From", "Date"] { discard; }`, want: "discard"},
		{name: "exists missing", script: `if exists ["From", "X-Nope"] { discard; }`, want: "keep"},
		{name: "size over", script: `if size :over 100 { discard; }`, want: "discard"},
		{name: "size under", script: `if size :under 1K { discard; }`, want: "discard"},
		{name: "not anyof allof", script: `if not anyof (false, allof (true, false)) { discard; }`, want: "discard"},
		{name: "encoded header", msg: "Subject: =?utf-8?q?caf=C3=A9?=\n\nx\n", script: `if header :is "Subject" "café" { discard; }`, want: "discard"},
		{name: "folded header", msg: "Subject: one\n two\n\nx\n", script: `if header :is "Subject" "one two" { discard; }`, want: "discard"},
		{name: "group address", msg: "To: friends: a@b.c, d@e.f;\n\nx\n", script: `if address :is "To" "d@e.f" { discard; }`, want: "discard"},
		{name: "malformed address", msg: "To: Broken Name <a@b.c>, @bad\n\nx\n", script: `if address :domain :is "To" "b.c" { discard; }`, want: "discard"},
	})
}

func TestRunExtensions(t *testing.T) {
	includes := map[string]string{
		"sub":     "require [\"variables\", \"include\", \"fileinto\"];\nglobal \"who\";\nset \"who\" \"sub\";\nfileinto \"from-sub\";\nreturn;\ndiscard;\n",
		"loop":    "require \"include\";\ninclude \"loop2\";\n",
		"loop2":   "require \"include\";\ninclude \"loop\";\n",
		"broken":  "if frob { }",
		"counter": "require \"fileinto\";\nfileinto \"once\";\n",
	}
	opts := Options{Include: func(name string, global bool) ([]byte, error) {
		if global {
			name = "global/" + name
		}
		if s, ok := includes[name]; ok {
			return []byte(s), nil
		}
		if name == "global/g" {
			return []byte(`redirect "g@example.com";`), nil
		}
		return nil, fs.ErrNotExist
	}}
	seen := map[string]bool{}
	dup := func(id string, seconds int64) bool {
		was := seen[id]
		seen[id] = true
		return was
	}
	runCases(t, opts, []runCase{
		{name: "fileinto", script: `require "fileinto"; fileinto "INBOX.a"; fileinto "INBOX.a";`, want: "fileinto INBOX.a"},
		{name: "fileinto copy keeps", script: `require ["fileinto", "copy"]; fileinto :copy "A";`, want: "fileinto A :copy; keep"},
		{name: "redirect copy keeps", script: `require "copy"; redirect :copy "x@y.z";`, want: "redirect x@y.z :copy; keep"},
		{name: "reject", script: `require "reject"; reject "no";`, want: "reject no"},
		{name: "ereject", script: `require "ereject"; ereject "no";`, want: "ereject no"},
		{name: "reject after keep", script: `require "reject"; keep; reject "no";`, wantErr: "reject cannot be used with keep"},
		{name: "fileinto after reject", script: `require ["reject","fileinto"]; reject "no"; fileinto "x";`, wantErr: "fileinto cannot be used with reject"},
		{name: "two rejects", script: `require "reject"; reject "a"; reject "b";`, wantErr: "cannot be used with reject"},
		{name: "reject and discard", script: `require "reject"; discard; reject "no";`, want: "reject no"},
		{name: "envelope", script: `require "envelope"; if envelope :domain :is "from" "example.org" { discard; }`, want: "discard"},
		{name: "envelope null sender", env: Env{Envelope: Envelope{From: "", To: "u@x"}}, script: `require "envelope"; if envelope :is "from" "" { discard; }`, want: "discard"},
		{name: "subaddress detail", script: `require ["subaddress", "fileinto"]; if address :detail "To" "lists" { fileinto "lists"; }`, want: "fileinto lists"},
		{name: "subaddress user", script: `require "subaddress"; if address :user :is "To" "bob" { discard; }`, want: "discard"},
		{name: "subaddress no detail", script: `require "subaddress"; if address :detail :is "Cc" "" { discard; }`, want: "keep"},
		{name: "variables matches", script: `require ["variables", "fileinto"]; if header :matches "Subject" "[*] *" { fileinto "INBOX.${1}.${2}"; }`, want: "fileinto INBOX.CIRCLE.weekly meeting"},
		{name: "variables modifiers", script: `require ["variables", "fileinto"]; set :upperfirst :lower "a" "HELLO"; set :length "n" "${a}"; set :quotewildcard "q" "a*b"; fileinto "${a}-${n}-${q}-${unknown}-${bad";`, want: "fileinto Hello-5-a\\*b--${bad"},
		{name: "string test", script: `require "variables"; set "x" "abc"; if string :contains "${x}" "b" { discard; }`, want: "discard"},
		{name: "string count", script: `require ["variables", "relational", "comparator-i;ascii-numeric"]; if string :count "eq" :comparator "i;ascii-numeric" ["a", "", "b"] "2" { discard; }`, want: "discard"},
		{name: "imap4flags", script: `require ["imap4flags", "fileinto"]; setflag "\\Seen"; addflag ["$Work", "\\seen"]; fileinto "A"; removeflag "\\Seen"; keep :flags "\\Flagged";`, want: "fileinto A [\\Seen $Work]; keep [\\Flagged]"},
		{name: "imap4flags implicit keep", script: `require "imap4flags"; addflag "$Junk"; if hasflag :is "$junk" { addflag "x"; }`, want: "keep [$Junk x]"},
		{name: "imap4flags variable", script: `require ["imap4flags", "variables", "relational"]; setflag "v" "a b"; addflag "v" "c A"; if hasflag :count "eq" "v" "3" { discard; }`, want: "discard"},
		{name: "body text", script: `require "body"; if body :contains "foobar" { discard; }`, want: "discard"},
		{name: "body raw", script: `require "body"; if body :raw :contains "Second line" { discard; }`, want: "discard"},
		{name: "body content miss", script: `require "body"; if body :content "image" :contains "Hello" { discard; }`, want: "keep"},
		{name: "body multipart", msg: "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>Buy <b>now</b></p>\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--b--\n",
			script: `require "body"; if body :text :contains "buy  now" { discard; } if body :content "application" :is "hello" { redirect "a@b.c"; }`, want: "redirect a@b.c"},
		{name: "relational value", script: `require ["relational", "comparator-i;ascii-numeric"]; if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5" { discard; }`, want: "discard"},
		{name: "relational count", script: `require ["relational", "comparator-i;ascii-numeric"]; if address :count "eq" :comparator "i;ascii-numeric" ["To", "Cc"] "3" { discard; }`, want: "discard"},
		{name: "regex", script: `require ["regex", "variables", "fileinto"]; if header :regex "Subject" "^\\[([A-Z]+)\\] (w[a-z]+)" { fileinto "${1}/${2}"; }`, want: "fileinto CIRCLE/weekly"},
		{name: "regex casemap", script: `require "regex"; if header :regex "Subject" "circle" { discard; }`, want: "discard"},
		{name: "date header", script: `require ["date", "relational"]; if date :originalzone :is "Date" "hour" "09" { discard; }`, want: "discard"},
		{name: "date zone", script: `require "date"; if date :zone "+0000" :is "Date" "time" "07:59:00" { discard; }`, want: "discard"},
		{name: "date received", script: `require "date"; if date :zone "+0000" :is "Received" "date" "2025-04-01" { discard; }`, want: "discard"},
		{name: "currentdate weekday", script: `require "date"; if currentdate :is "weekday" "0" { discard; }`, want: "discard"},
		{name: "currentdate julian", script: `require "date"; if currentdate :is "julian" "60771" { discard; }`, want: "discard"},
		{name: "currentdate iso", script: `require "date"; if currentdate :zone "+0200" :is "iso8601" "2025-04-06T14:30:00+02:00" { discard; }`, want: "discard"},
		{name: "index", msg: "Received: first\nReceived: second\nReceived: third\n\nx\n", script: `require "index"; if header :index 2 :last :is "Received" "second" { discard; }`, want: "discard"},
		{name: "mailboxexists", env: Env{MailboxExists: func(n string) bool { return n == "INBOX.a" }},
			script: `require ["mailbox", "fileinto"]; if mailboxexists "INBOX.a" { fileinto :create "INBOX.a"; } if mailboxexists ["INBOX.a", "INBOX.b"] { discard; }`, want: "fileinto INBOX.a :create"},
		{name: "include", script: `require ["include", "variables", "fileinto"]; global "who"; include "sub"; fileinto "after-${who}";`, want: "fileinto from-sub; fileinto after-sub"},
		{name: "include global", script: `require "include"; include :global "g";`, want: "redirect g@example.com"},
		{name: "include once", script: `require "include"; include :once "counter"; include :once "counter";`, want: "fileinto once"},
		{name: "include optional missing", script: `require "include"; include :optional "nope";`, want: "keep"},
		{name: "include missing", script: `require "include"; include "nope";`, wantErr: "cannot load included script"},
		{name: "include loop", script: `require "include"; include "loop";`, wantErr: "include loop"},
		{name: "include broken", script: `require "include"; if false { include "broken"; }`, want: "keep"},
		{name: "duplicate", env: Env{Duplicate: dup}, script: `require "duplicate"; if duplicate { discard; }`, want: "keep"},
		{name: "duplicate second", env: Env{Duplicate: dup}, script: `require "duplicate"; if duplicate { discard; }`, want: "discard"},
		{name: "duplicate uniqueid", env: Env{Duplicate: dup}, script: `require "duplicate"; if duplicate :handle "h" :uniqueid "u" { discard; } if duplicate :handle "h" :uniqueid "u" { redirect "a@b.c"; }`, want: "redirect a@b.c"},
		{name: "editheader", script: `require ["editheader", "fileinto"]; addheader "X-A" "1"; if header :is "X-A" "1" { deleteheader "Cc"; } if not exists "Cc" { fileinto "ok"; }`, want: "addheader X-A: 1; deleteheader Cc: carol@example.net; fileinto ok"},
		{name: "editheader protected", script: `require "editheader"; deleteheader "Received"; if exists "Received" { discard; }`, want: "discard"},
		{name: "editheader utf8", script: `require "editheader"; addheader :last "X-B" "café";`, want: "addheader X-B: =?utf-8?q?caf=C3=A9?=; keep"},
		{name: "deleteheader patterns", msg: "X-T: a\nX-T: b\nX-T: a2\n\nx\n", script: `require ["editheader", "relational"]; deleteheader :matches "X-T" "a*"; if header :count "eq" "X-T" "1" { discard; }`, want: "deleteheader X-T: a; deleteheader X-T: a2; discard"},
		{name: "encoded character", script: `require ["encoded-character", "fileinto"]; fileinto "${hex:41}${unicode:42}";`, want: "fileinto AB"},
		{name: "too many actions", env: Env{MaxActions: 2}, script: `redirect "a@b.c"; redirect "b@b.c"; redirect "c@b.c";`, wantErr: "too many actions"},
	})
}

func TestRunVacation(t *testing.T) {
	seen := map[string]int64{}
	env := Env{Duplicate: func(id string, seconds int64) bool {
		_, ok := seen[id]
		seen[id] = seconds
		return ok
	}}
	s, err := Compile([]byte(`require "vacation"; vacation :days 3 :addresses "alias@example.com" "I am away";`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := func(raw string, e Env) Result {
		t.Helper()
		res, err := s.Run(context.Background(), newTestMessage(t, raw), e)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	env.Envelope = Envelope{From: "alice@example.org", To: "yourname@youraddress.com"}
	res := run(basicMessage, env)
	if got := actionsString(res.Actions); got != "vacation alice@example.org; keep" {
		t.Fatalf("first: %s %v", got, res.Log)
	}
	v := res.Actions[0].Vacation
	if v.Seconds != 3*86400 || v.Days != 3 || v.Subject != "Auto: [CIRCLE] weekly meeting" || v.InReplyTo != "<m1@example.org>" || v.Handle == "" {
		t.Fatalf("vacation fields: %+v", v)
	}
	if _, ok := seen[VacationID(v.Handle, "alice@example.org")]; !ok {
		t.Fatalf("duplicate not consulted: %v", seen)
	}
	if got := actionsString(run(basicMessage, env).Actions); got != "keep" {
		t.Fatalf("second reply within period: %s", got)
	}
	refused := []struct{ name, msg, from string }{
		{"list", "List-Id: <x.example.com>\nTo: yourname@youraddress.com\n\nx\n", "bob@example.org"},
		{"auto-submitted", "Auto-Submitted: auto-replied\nTo: yourname@youraddress.com\n\nx\n", "bob@example.org"},
		{"bulk", "Precedence: bulk\nTo: yourname@youraddress.com\n\nx\n", "bob@example.org"},
		{"not addressed", "To: other@example.com\n\nx\n", "bob@example.org"},
		{"mailer-daemon", "To: yourname@youraddress.com\n\nx\n", "MAILER-DAEMON@example.org"},
		{"null sender", "To: yourname@youraddress.com\n\nx\n", ""},
	}
	for _, r := range refused {
		e := env
		e.Envelope.From = r.from
		res := run(r.msg, e)
		if got := actionsString(res.Actions); got != "keep" || len(res.Log) == 0 {
			t.Errorf("%s: got %s log %v", r.name, got, res.Log)
		}
	}
	e := env
	e.Envelope.From = "carol@example.net"
	if got := actionsString(run("To: alias@example.com\n\nx\n", e).Actions); got != "vacation carol@example.net; keep" {
		t.Errorf(":addresses alias: %s", got)
	}
}

func TestTooManyActionsIs(t *testing.T) {
	s, err := Compile([]byte(`redirect "a@b.c"; redirect "b@b.c";`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Run(context.Background(), newTestMessage(t, basicMessage), Env{MaxActions: 1})
	if !errors.Is(err, ErrTooManyActions) {
		t.Fatalf("got %v", err)
	}
}

func TestVacationHandleStable(t *testing.T) {
	a := vacationHandle("s", "f", false, "r")
	if a != vacationHandle("s", "f", false, "r") || a == vacationHandle("s", "f", true, "r") || a == vacationHandle("s", "", false, "fr") {
		t.Fatal("handle must depend exactly on subject, from, mime and reason")
	}
}

func TestRunContextCancelled(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 200; i++ {
		b.WriteString(`if header :contains "Subject" "zzz" { discard; }` + "\n")
	}
	s, err := Compile([]byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := s.Run(ctx, newTestMessage(t, basicMessage), Env{})
	var re *RuntimeError
	if !errors.As(err, &re) || !errors.Is(err, context.Canceled) || actionsString(res.Actions) != "keep" || len(res.Errors) == 0 {
		t.Fatalf("want runtime error with fallback keep, got %v %s", err, actionsString(res.Actions))
	}
}

func TestExtensionsRestricted(t *testing.T) {
	_, err := Compile([]byte(`require "vacation";`), Options{Extensions: []string{"fileinto"}})
	var se *Error
	if !errors.As(err, &se) || se.Line != 1 || se.Column != 9 {
		t.Fatalf("got %v", err)
	}
	if _, err := Compile([]byte(`require "include";`), Options{}); err == nil {
		t.Fatal("include must be refused without Options.Include")
	}
	if _, err := Compile([]byte(`keep;`), Options{MaxSize: 3}); err == nil {
		t.Fatal("MaxSize not enforced")
	}
	exts := Extensions()
	if exts[0] != "comparator-i;ascii-numeric" || exts[1] != "fileinto" {
		t.Fatalf("order: %v", exts)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Line: 3, Column: 7, Msg: "boom"}
	if e.Error() != "line 3 column 7: boom" {
		t.Fatal(e.Error())
	}
}
