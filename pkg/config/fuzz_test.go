package config

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseImapd: no input panics; an accepted input re-serialises with
// WriteTo into text that parses to the same values.
func FuzzParseImapd(f *testing.F) {
	for _, seed := range []string{
		"configdirectory: /var/lib/imap\npartition-default: /var/spool/imap\nadmins: cyrus\n",
		"# c\n\naltnamespace: no\nunixhierarchysep: off\ntimeout: 1h30m\numask: 027\n",
		"servername: a\\\nb\nvirtdomains: userid\nautocreate_inbox_folders: Sent|Trash\n",
		"tls_cert_file: /x\nimaps_tls_server_cert: /y\nsasl_auxprop_plugin: sasldb\n",
		"@include: inc.conf\nquotawarn: 80\n",
		"admins: a\nadmins: b\n",
		"nocolon\n",
		"key:\n",
		"popexpiretime: -1\nimap_timeout: 5\n",
		"x\\",
		"a:b\\\r\n\\\n",
	} {
		f.Add(seed)
	}
	open := memFiles(map[string]string{"inc.conf": "sieve_maxscripts: 3\n@include: inc.conf\n"})
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := parseImapd(strings.NewReader(text), "imapd.conf", open)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		var out bytes.Buffer
		if _, err := cfg.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		again, err := parseImapd(bytes.NewReader(out.Bytes()), "out", open)
		if err != nil {
			t.Fatalf("reparse of %q: %v", out.String(), err)
		}
		if !reflect.DeepEqual(values(cfg), values(again)) {
			t.Fatalf("round trip changed values:\n%v\n%v", values(cfg), values(again))
		}
		for i := range Options { // every accessor path must be safe
			name := Options[i].Name
			_ = cfg.String(name)
			_ = cfg.List(name)
			_ = cfg.ForService("imap").Duration(name)
		}
		_ = cfg.Partitions()
	})
}

// FuzzParseCyrusConf: no input panics; an accepted input re-serialises into
// text that parses to the same effective entries.
func FuzzParseCyrusConf(f *testing.F) {
	f.Add(sampleCyrusConf)
	for _, seed := range []string{
		"START { recover cmd=\"ctl_cyrusdb -r\" }\n",
		"SERVICES{imap cmd=imapd listen=143 proto=udp prefork=3 babysit=1}\n",
		"EVENTS {\n e cmd=x at=0 \n}\n",
		"DAEMON {\n d cmd=a\"b wait=on\n}\n",
		"SERVICES {\n a cmd=\"x}\" listen=\"/tmp/s\"}\n",
		"FOO {\n}\n",
		"START {\n",
		"}",
		"EVENTS { e cmd=\"a # b\" }\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCyrusConf(strings.NewReader(text), "cyrus.conf")
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		var out bytes.Buffer
		if _, err := c.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		again, err := ParseCyrusConf(bytes.NewReader(out.Bytes()), "out")
		if err != nil {
			t.Fatalf("reparse of %q: %v", out.String(), err)
		}
		var out2 bytes.Buffer
		if _, err := again.WriteTo(&out2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("not stable:\n%s\n%s", out.String(), out2.String())
		}
		if len(c.Entries()) != len(again.Entries()) {
			t.Fatalf("entry count changed")
		}
	})
}
