package sieve

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestRunNotify(t *testing.T) {
	const req = `require ["enotify", "variables", "relational", "comparator-i;ascii-numeric"];` + "\n"
	runCases(t, Options{}, []runCase{
		{name: "notify keeps implicit keep", script: req + `notify "mailto:a@example.com";`,
			want: "notify mailto:a@example.com; keep"},
		{name: "same URI notified once", script: req + `notify "mailto:a@example.com"; notify :message "again" "mailto:a@example.com"; notify "mailto:b@example.com";`,
			want: "notify mailto:a@example.com; notify mailto:b@example.com; keep"},
		{name: "with discard", script: req + `notify "mailto:a@example.com"; discard;`,
			want: "notify mailto:a@example.com; discard"},
		{name: "variable method", script: req + `set "who" "c@example.com"; notify "mailto:${who}";`,
			want: "notify mailto:c@example.com; keep"},
		{name: "invalid method at run time fails", script: req + `set "m" "mailto:"; notify "${m}";`,
			wantErr: "notify: invalid notification method"},
		{name: "unsupported method at run time fails", script: req + `set "m" "xmpp:a@b.c"; notify "${m}";`,
			wantErr: "unsupported notification method"},
		{name: "valid_notify_method", script: req + `if valid_notify_method ["mailto:a@b.c", "MAILTO:d@e.f?cc=g@h.i"] { discard; }`, want: "discard"},
		{name: "valid_notify_method unsupported", script: req + `if valid_notify_method ["mailto:a@b.c", "xmpp:a@b.c"] { discard; }`, want: "keep"},
		{name: "valid_notify_method invalid", script: req + `if valid_notify_method "mailto:a@" { discard; }`, want: "keep"},
		{name: "capability online maybe", script: req + `if notify_method_capability "mailto:a@b.c" "Online" "maybe" { discard; }`, want: "discard"},
		{name: "capability online not yes", script: req + `if notify_method_capability "mailto:a@b.c" "online" ["yes", "no"] { discard; }`, want: "keep"},
		{name: "capability unknown", script: req + `if notify_method_capability "mailto:a@b.c" "color" "maybe" { discard; }`, want: "keep"},
		{name: "capability bad uri", script: req + `if notify_method_capability "xmpp:a@b.c" "online" "maybe" { discard; }`, want: "keep"},
		{name: "capability count", script: req + `if notify_method_capability :count "eq" :comparator "i;ascii-numeric" "mailto:a@b.c" "online" "1" { discard; }`, want: "discard"},
		{name: "encodeurl", script: req + `set :encodeurl "s" "a b&c=d/é~"; if string :is "${s}" "a%20b%26c%3Dd%2F%C3%A9~" { discard; }`, want: "discard"},
		{name: "encodeurl after upper", script: req + `set :encodeurl :upper "s" "a b"; if string :is "${s}" "A%20B" { discard; }`, want: "discard"},
		{name: "encodeurl before length", script: req + `set :length :encodeurl "s" " "; if string :is "${s}" "1" { discard; }`, want: "keep"},
	})
}

func TestNotifyActionFields(t *testing.T) {
	s, err := Compile([]byte(`require ["enotify", "variables"];
if header :matches "Subject" "*" { set "subj" "${1}"; }
notify :from "Me <me@example.com>" :importance "3" :options ["o1", "o2"] :message "Got: ${subj}"
  "mailto:a@example.com?cc=b@example.com&subject=Hi&body=text&from=evil@x.y";
notify "mailto:c@example.com";
set "bad" "not an address";
notify :from "${bad}" "mailto:d@example.com";`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background(), newTestMessage(t, basicMessage), Env{Envelope: Envelope{From: "alice@example.org", To: "me@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Actions) != 4 || res.Actions[3].Kind != Keep {
		t.Fatalf("actions %s", actionsString(res.Actions))
	}
	n := res.Actions[0].Notify
	if n.From != "Me <me@example.com>" || n.Importance != 3 || !reflect.DeepEqual(n.Options, []string{"o1", "o2"}) ||
		n.Message != "Got: [CIRCLE] weekly meeting" || !n.HasMessage {
		t.Errorf("first notify %+v", n)
	}
	if n.MessageFrom != "Alice Example <alice@example.org>" || n.MessageSubject != "[CIRCLE] weekly meeting" {
		t.Errorf("message From/Subject %q %q", n.MessageFrom, n.MessageSubject)
	}
	m := n.Mailto
	if !reflect.DeepEqual(m.To, []string{"a@example.com"}) || !reflect.DeepEqual(m.Cc, []string{"b@example.com"}) ||
		m.Subject != "Hi" || m.Body != "text" || !reflect.DeepEqual(m.Ignored, []string{"from"}) {
		t.Errorf("mailto %+v", m)
	}
	def := res.Actions[1].Notify
	if def.HasMessage || def.Message != "Alice Example <alice@example.org>: [CIRCLE] weekly meeting" || def.Importance != 2 || def.From != "" {
		t.Errorf("default notify %+v", def)
	}
	if bad := res.Actions[2].Notify; bad.From != "" || !strings.Contains(strings.Join(res.Log, "\n"), "invalid :from") {
		t.Errorf("invalid :from kept: %+v log %v", bad, res.Log)
	}
}

func TestParseMailto(t *testing.T) {
	good := []struct {
		uri             string
		to, cc, bcc     []string
		subject, body   string
		headers, ignore int
	}{
		{uri: "mailto:a@example.com", to: []string{"a@example.com"}},
		{uri: "MailTo:a@example.com,b@example.com", to: []string{"a@example.com", "b@example.com"}},
		{uri: "mailto:a@example.com%2Cb@example.com", to: []string{"a@example.com", "b@example.com"}},
		{uri: "mailto:?to=a@example.com&bcc=c@example.com", to: []string{"a@example.com"}, bcc: []string{"c@example.com"}},
		{uri: "mailto:a@example.com?subject=New%20mail%20%E2%98%BA&body=see+it", to: []string{"a@example.com"}, subject: "New mail ☺", body: "see+it"},
		{uri: "mailto:a@example.com?In-Reply-To=%3Cx@y%3E&Received=evil&Auto-Submitted=no&From=x@y", to: []string{"a@example.com"}, headers: 1, ignore: 3},
		{uri: "mailto:%22not.me%22@example.com", to: []string{"not.me@example.com"}},
	}
	for _, g := range good {
		m, err := ParseMailto(g.uri)
		if err != nil {
			t.Errorf("%s: %v", g.uri, err)
			continue
		}
		if !reflect.DeepEqual(m.To, g.to) || !reflect.DeepEqual(m.Cc, g.cc) || !reflect.DeepEqual(m.Bcc, g.bcc) ||
			m.Subject != g.subject || m.Body != g.body || len(m.Headers) != g.headers || len(m.Ignored) != g.ignore {
			t.Errorf("%s: %+v", g.uri, m)
		}
	}
	for uri, want := range map[string]string{
		"":                                       "not a URI",
		"a@example.com":                          "not a URI",
		"xmpp:romeo@example.net":                 "unsupported notification method",
		"mailto:":                                "no recipient",
		"mailto:a@example.com?subject":           "has no value",
		"mailto:a@example.com?sub%20j=x":         "invalid header field name",
		"mailto:a@":                              "invalid address list",
		"mailto:a@example.com?cc=x":              "invalid address list",
		"mailto:a@example.com%0D%0AX:y":          "invalid address",
		"mailto:a@example.com?subject=%zz":       "percent-encoding",
		"mailto:a@example.com?subject=%ff":       "not UTF-8",
		"mailto:a b@example.com":                 "percent-encoded",
		"mailto:%22not%20me%22@example.com":      "invalid address",
		"mailto:" + strings.Repeat("a@b.c,", 40): "more than",
	} {
		if _, err := ParseMailto(uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMailto(%q) = %v, want %q", uri, err, want)
		}
	}
}

func FuzzParseMailto(f *testing.F) {
	for _, s := range []string{"mailto:a@b.c", "mailto:?to=a@b.c&subject=x%20y", "mailto:a@b.c?body=%E2%98%BA", "xmpp:x", "mailto:%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		m, err := ParseMailto(uri)
		if err != nil {
			return
		}
		if len(m.Recipients()) == 0 {
			t.Fatalf("%q parsed without recipients", uri)
		}
		for _, r := range m.Recipients() {
			if strings.ContainsAny(r, "\r\n") {
				t.Fatalf("%q: recipient %q has a line break", uri, r)
			}
		}
	})
}

func TestAutoSubmitted(t *testing.T) {
	for v, want := range map[string]string{
		"no": "", "No": "", " no ; reason=x": "", "auto-replied": "auto-replied",
		"auto-generated; owner-email=a@b": "auto-generated", "auto-notified": "auto-notified",
	} {
		header := func(string) []string { return []string{v} }
		if got := AutoSubmitted(header); got != want {
			t.Errorf("Auto-Submitted: %q -> %q, want %q", v, got, want)
		}
	}
	if got := AutoSubmitted(func(string) []string { return nil }); got != "" {
		t.Errorf("no field -> %q", got)
	}
}
