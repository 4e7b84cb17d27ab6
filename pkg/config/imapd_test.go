package config

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// memFiles serves @include files from memory.
func memFiles(files map[string]string) func(string) (io.ReadCloser, error) {
	return func(path string) (io.ReadCloser, error) {
		s, ok := files[path]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return io.NopCloser(strings.NewReader(s)), nil
	}
}

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	cfg, err := ParseImapd(strings.NewReader(text), "imapd.conf")
	if err != nil {
		t.Fatalf("ParseImapd: %v", err)
	}
	return cfg
}

func TestParseImapdValues(t *testing.T) {
	cfg := mustParse(t, `# a comment
   # an indented comment

configdirectory: /var/lib/imap
ConfigDirectory_Typo_Not: x
AltNamespace: no
unixhierarchysep:    off   
admins: cyrus  root	admin
allowplaintext: TRUE
timeout: 45
imapidlepoll: 1m30s
popexpiretime: 2
umask: 027
virtdomains: UserID
autocreate_inbox_folders: Sent | Drafts|Junk Mail |
sievedir: /var/sieve # not a comment
servername: mail.\
example.org
defaultacl: anyone lrs
maxmessagesize: 1048576
`)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"configdirectory", cfg.Configdirectory(), "/var/lib/imap"},
		{"altnamespace", cfg.Altnamespace(), false},
		{"unixhierarchysep", cfg.Unixhierarchysep(), false},
		{"admins", cfg.Admins(), []string{"cyrus", "root", "admin"}},
		{"allowplaintext", cfg.Allowplaintext(), true},
		{"timeout bare minutes", cfg.Timeout(), 45 * time.Minute},
		{"imapidletimeout from timeout", cfg.Imapidletimeout(), 45 * time.Minute},
		{"imapidlepoll", cfg.Imapidlepoll(), 90 * time.Second},
		{"popexpiretime days", cfg.Popexpiretime(), 48 * time.Hour},
		{"umask", cfg.Umask(), 0o27},
		{"virtdomains canonical", cfg.Virtdomains(), "userid"},
		{"autocreate pipe list", cfg.AutocreateInboxFolders(), []string{"Sent", "Drafts", "Junk Mail"}},
		{"hash in value", cfg.Sievedir(), "/var/sieve # not a comment"},
		{"continuation", cfg.Servername(), "mail.example.org"},
		{"maxmessagesize", cfg.Maxmessagesize(), 1048576},
		{"literal limit", cfg.LiteralLimit(), int64(1048576)},
		{"lmtpsocket expands", cfg.Lmtpsocket(), "/var/lib/imap/socket/lmtp"},
		{"generic string", cfg.String("DEFAULTACL"), "anyone lrs"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if w := cfg.Warnings(); len(w) != 1 || w[0] != `imapd.conf:5: unknown option "configdirectory_typo_not"` {
		t.Errorf("warnings = %q", w)
	}
}

func TestDefaults(t *testing.T) {
	cfg := New()
	if err := cfg.Set("configdirectory", "/cfg"); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"altnamespace", cfg.Altnamespace(), true},
		{"unixhierarchysep", cfg.Unixhierarchysep(), true},
		{"timeout", cfg.Timeout(), 32 * time.Minute},
		{"imapidletimeout", cfg.Imapidletimeout(), 32 * time.Minute},
		{"poptimeout", cfg.Poptimeout(), 10 * time.Minute},
		{"popexpiretime", cfg.Popexpiretime(), -24 * time.Hour},
		{"sieve_vacation_max_response", cfg.SieveVacationMaxResponse(), 90 * 24 * time.Hour},
		{"umask", cfg.Umask(), 0o77},
		{"maxchild-like int", cfg.AutocreateQuota(), -1},
		{"maxline", cfg.Maxline(), 65536},
		{"specialuse_protect", cfg.SpecialuseProtect(), []string{`\Archive`, `\Drafts`, `\Important`, `\Junk`, `\Sent`, `\Trash`}},
		{"tls_versions", cfg.TlsVersions(), []string{"tls1_0", "tls1_1", "tls1_2", "tls1_3"}},
		{"duplicate_db_path", cfg.DuplicateDbPath(), "/cfg/deliver.db"},
		{"idlesocket", cfg.Idlesocket(), "/cfg/socket/idle"},
		{"sasl_saslauthd_path", cfg.SaslSaslauthdPath(), "/var/run/saslauthd/mux"},
		{"userprefix", cfg.Userprefix(), "Other Users"},
		{"admins empty", cfg.Admins(), []string(nil)},
		{"literal limit", cfg.LiteralLimit(), int64(100 << 20)},
		{"unset lookup", func() bool { _, ok := cfg.Lookup("timeout"); return ok }(), false},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if h := cfg.Servername(); h == "" || strings.Contains(h, "{") {
		t.Errorf("servername default = %q, want the host name", h)
	}
}

func TestParseImapdBooleans(t *testing.T) {
	for _, s := range []string{"1", "yes", "on", "t", "true", "YES", "On", "T", "True"} {
		if !mustParse(t, "allowplaintext: "+s).Allowplaintext() {
			t.Errorf("%q read as false", s)
		}
	}
	for _, s := range []string{"0", "no", "off", "f", "false", "NO", "Off", "F"} {
		if mustParse(t, "altnamespace: "+s).Altnamespace() {
			t.Errorf("%q read as true", s)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		unit time.Duration
		want time.Duration
		ok   bool
	}{
		{"1h30m", time.Minute, 90 * time.Minute, true},
		{"30", time.Minute, 30 * time.Minute, true},
		{"30", 0, 30 * time.Second, true},
		{"3d", time.Second, 72 * time.Hour, true},
		{"1d2h3m4s", time.Second, 26*time.Hour + 3*time.Minute + 4*time.Second, true},
		{"1h30", time.Minute, 90 * time.Minute, true},
		{"-1", 24 * time.Hour, -24 * time.Hour, true},
		{"0", time.Minute, 0, true},
		{"1H", time.Second, time.Hour, true},
		{"", time.Second, 0, false},
		{"-", time.Second, 0, false},
		{"h", time.Second, 0, false},
		{"1x", time.Second, 0, false},
		{"1.5h", time.Second, 0, false},
		{"1 h", time.Second, 0, false},
		{"99999999999999999999d", time.Second, 0, false},
		{"106752d", time.Second, 0, false},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in, tc.unit)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q, %v) = %v, %v; want %v ok=%v", tc.in, tc.unit, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseImapdErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"no colon", "configdirectory /x\n", `imapd.conf:1: missing ':'`},
		{"empty value", "\n\nadmins:   \n", `imapd.conf:3: empty value for option "admins"`},
		{"twice", "admins: a\nADMINS: b\n", `imapd.conf:2: option "admins" was specified twice (first at imapd.conf:1)`},
		{"bad bool", "# c\naltnamespace: maybe\n", `imapd.conf:2: option "altnamespace": invalid boolean "maybe"`},
		{"bad int", "quotawarn: ninety\n", `imapd.conf:1: option "quotawarn": invalid integer "ninety"`},
		{"bad duration", "timeout: 5 minutes\n", `imapd.conf:1: option "timeout": invalid duration`},
		{"bad octal", "umask: 089\n", `imapd.conf:1: option "umask": invalid octal number "089"`},
		{"octal range", "umask: 77777\n", `imapd.conf:1: option "umask": octal value`},
		{"bad enum", "virtdomains: maybe\n", `imapd.conf:1: option "virtdomains": invalid value "maybe" (want one of: off, userid, on)`},
		{"bad list element", "tls_versions: tls1_2 ssl3\n", `imapd.conf:1: option "tls_versions": invalid value "ssl3"`},
		{"bad key", "admin s: x\n", `imapd.conf:1: invalid option name "admin s"`},
		{"empty key", ": x\n", `imapd.conf:1: invalid option name ""`},
		{"continued line numbered at start", "a: 1\nservername: x\\\ny\nservername: z\n", `imapd.conf:4: option "servername" was specified twice (first at imapd.conf:2)`},
		{"service override bad value", "imap_timeout: soon\n", `imapd.conf:1: option "imap_timeout": invalid duration`},
		{"service override twice", "imap_timeout: 5\nIMAP_timeout: 6\n", `imapd.conf:2: option "imap_timeout" was specified twice`},
		{"deprecated twice", "tls_cert_file: a\ntls_cert_file: b\n", `imapd.conf:2: option "tls_cert_file" was specified twice`},
		{"include missing", "@include: other.conf\n", `imapd.conf:1: @include: open other.conf`},
		{"include empty", "@include:\n", `imapd.conf:1: empty value for @include`},
		{"include error located in included file", "@include: inc.conf\n", `inc.conf:2: option "quotawarn": invalid integer`},
		{"include duplicate across files", "quotawarn: 80\n@include: dup.conf\n", `dup.conf:1: option "quotawarn" was specified twice (first at imapd.conf:1)`},
		{"include loop", "@include: imapd.conf\n", `@include nested more than 16 deep`},
		{"long line", "a: " + strings.Repeat("x", maxLineBytes+10) + "\n", `imapd.conf:1: line longer than`},
	}
	files := memFiles(map[string]string{
		"inc.conf":    "# included\nquotawarn: lots\n",
		"dup.conf":    "quotawarn: 70\n",
		"imapd.conf":  "@include: imapd.conf\n",
		"nothing.txt": "",
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseImapd(strings.NewReader(tc.text), "imapd.conf", files)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestWarningsAndOverflow(t *testing.T) {
	cfg := mustParse(t, `partition-default: /var/spool/imap
partition-Archive: /srv/archive
metapartition-default: /ssd/meta
archivepartition-default: /srv/arch
sasl_auxprop_plugin: sasldb
xlist-drafts: Drafts
imap_admins: imapadmin
lmtpunix_sasl_mech_list: PLAIN
sieve_sasl_auxprop_plugin: sasldb
frobnicate: 1
imap_frobnicate: 2
bad-service_admins: x
partition-: /nowhere
`)
	want := []string{
		`imapd.conf:10: unknown option "frobnicate"`,
		`imapd.conf:11: unknown option "imap_frobnicate"`,
		`imapd.conf:12: unknown option "bad-service_admins"`,
		`imapd.conf:13: unknown option "partition-"`,
	}
	if got := cfg.Warnings(); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	if got := cfg.Partitions(); !reflect.DeepEqual(got, map[string]string{"default": "/var/spool/imap", "archive": "/srv/archive"}) {
		t.Errorf("Partitions = %v", got)
	}
	if got := cfg.Prefixed("metapartition-"); got["default"] != "/ssd/meta" || len(got) != 1 {
		t.Errorf("metapartitions = %v", got)
	}
	if v, ok := cfg.Lookup("SASL_auxprop_plugin"); !ok || v != "sasldb" {
		t.Errorf("Lookup sasl_auxprop_plugin = %q, %v", v, ok)
	}
	if v, _ := cfg.Lookup("frobnicate"); v != "1" {
		t.Errorf("unknown keys are kept: got %q", v)
	}
}

func TestForService(t *testing.T) {
	cfg := mustParse(t, `imaps_tls_server_cert: /etc/ssl/imaps.pem
tls_server_cert: /etc/ssl/all.pem
admins: cyrus
lmtpunix_admins: postfix cyrus
timeout: 40
pop3_timeout: 1h
partition-default: /spool
imap_partition-default: /imapspool
sieve_sasl_auxprop_plugin: sql
`)
	imaps := cfg.ForService("IMAPS")
	if got := imaps.TlsServerCert(); got != "/etc/ssl/imaps.pem" {
		t.Errorf("imaps cert = %q", got)
	}
	if got := cfg.TlsServerCert(); got != "/etc/ssl/all.pem" {
		t.Errorf("generic cert = %q", got)
	}
	if got := cfg.ForService("lmtpunix").Admins(); !reflect.DeepEqual(got, []string{"postfix", "cyrus"}) {
		t.Errorf("lmtpunix admins = %v", got)
	}
	if got := cfg.ForService("imap").Admins(); !reflect.DeepEqual(got, []string{"cyrus"}) {
		t.Errorf("imap admins = %v", got)
	}
	pop := cfg.ForService("pop3")
	if got := pop.Timeout(); got != time.Hour {
		t.Errorf("pop3 timeout = %v", got)
	}
	if got := pop.Imapidletimeout(); got != time.Hour {
		t.Errorf("pop3 imapidletimeout follows its timeout: %v", got)
	}
	if got := cfg.Timeout(); got != 40*time.Minute {
		t.Errorf("generic timeout = %v", got)
	}
	if got := cfg.ForService("imap").Partitions()["default"]; got != "/imapspool" {
		t.Errorf("imap partition = %q", got)
	}
	if v, ok := cfg.ForService("sieve").Lookup("sasl_auxprop_plugin"); !ok || v != "sql" {
		t.Errorf("sieve sasl_auxprop_plugin = %q %v", v, ok)
	}
	if _, ok := cfg.Lookup("sasl_auxprop_plugin"); ok {
		t.Error("generic view sees the sieve override")
	}
	if pop.Service() != "pop3" || cfg.Service() != "" {
		t.Error("Service() mismatch")
	}
	if len(cfg.Warnings()) != 0 {
		t.Errorf("unexpected warnings %q", cfg.Warnings())
	}
}

func TestDeprecatedNames(t *testing.T) {
	cfg := mustParse(t, `tls_cert_file: /old.pem
tls_key_file: /old.key
tls_server_key: /new.key
tls_ca_path: /cas
imaps_tls_cert_file: /imaps-old.pem
`)
	if got := cfg.TlsServerCert(); got != "/old.pem" {
		t.Errorf("cert = %q", got)
	}
	if got := cfg.TlsServerKey(); got != "/new.key" {
		t.Errorf("the new name must win: key = %q", got)
	}
	if got := cfg.TlsClientCaDir(); got != "/cas" {
		t.Errorf("ca dir = %q", got)
	}
	if got := cfg.ForService("imaps").TlsServerCert(); got != "/imaps-old.pem" {
		t.Errorf("imaps cert = %q", got)
	}
	want := []string{
		`imapd.conf:1: option "tls_cert_file" is deprecated, use "tls_server_cert"`,
		`imapd.conf:2: option "tls_key_file" is deprecated, use "tls_server_key"`,
		`imapd.conf:4: option "tls_ca_path" is deprecated, use "tls_client_ca_dir"`,
		`imapd.conf:5: option "imaps_tls_cert_file" is deprecated, use "imaps_tls_server_cert"`,
	}
	if got := cfg.Warnings(); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
}

func TestSet(t *testing.T) {
	cfg := New()
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "configdirectory") {
		t.Errorf("Validate without configdirectory = %v", err)
	}
	ok := [][2]string{
		{"configdirectory", "/c"}, {"Timeout", " 2h "}, {"imap_timeout", "31m"},
		{"partition-default", "/p"}, {"sasl_foo", "bar"}, {"tls_cert_file", "/x.pem"},
	}
	for _, kv := range ok {
		if err := cfg.Set(kv[0], kv[1]); err != nil {
			t.Errorf("Set(%q, %q): %v", kv[0], kv[1], err)
		}
	}
	bad := [][2]string{
		{"timeout", "soon"}, {"nosuchoption", "1"}, {"admins", ""}, {"admins", "a\nb"},
		{"admins", `a\`}, {"bad key", "1"},
	}
	for _, kv := range bad {
		if err := cfg.Set(kv[0], kv[1]); err == nil {
			t.Errorf("Set(%q, %q) succeeded", kv[0], kv[1])
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	if cfg.Timeout() != 2*time.Hour || cfg.ForService("imap").Timeout() != 31*time.Minute {
		t.Errorf("timeouts %v %v", cfg.Timeout(), cfg.ForService("imap").Timeout())
	}
	if cfg.TlsServerCert() != "/x.pem" {
		t.Errorf("Set of a deprecated name: %q", cfg.TlsServerCert())
	}
	if got := cfg.ForService("imap").Timeout(); got != 31*time.Minute {
		t.Errorf("clamped? %v", got)
	}
	if err := cfg.Set("timeout", "5"); err != nil || cfg.Timeout() != 30*time.Minute {
		t.Errorf("timeout below the 30m floor = %v, %v", cfg.Timeout(), err)
	}
}

func TestLoadImapd(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("tls.conf", "tls_server_cert: /etc/ssl/cert.pem\n")
	main := write("imapd.conf", "configdirectory: "+dir+"\n@include: tls.conf\n")
	cfg, err := LoadImapd(main)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TlsServerCert() != "/etc/ssl/cert.pem" || cfg.Configdirectory() != dir {
		t.Errorf("include not applied: %q %q", cfg.TlsServerCert(), cfg.Configdirectory())
	}

	noCfgdir := write("nocfg.conf", "admins: cyrus\n")
	if _, err := LoadImapd(noCfgdir); err == nil || !strings.Contains(err.Error(), noCfgdir+`: option "configdirectory" is required`) {
		t.Errorf("missing configdirectory: %v", err)
	}
	if _, err := LoadImapd(filepath.Join(dir, "absent.conf")); err == nil {
		t.Error("loading a missing file succeeded")
	}
	write("dev.conf", "configdirectory: /x\n@include: /dev/null\n")
	if _, err := LoadImapd(filepath.Join(dir, "dev.conf")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("@include of a device: %v", err)
	}
}

func TestWriteToRoundTrip(t *testing.T) {
	cfg := mustParse(t, "configdirectory: /c\nimap_admins: a b\npartition-x: /p\nfoo: bar\ntls_cert_file: /old\n")
	var buf bytes.Buffer
	if _, err := cfg.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	want := "configdirectory: /c\nfoo: bar\nimap_admins: a b\npartition-x: /p\ntls_server_cert: /old\n"
	if buf.String() != want {
		t.Errorf("WriteTo:\n%s\nwant\n%s", buf.String(), want)
	}
	again := mustParse(t, buf.String())
	if !reflect.DeepEqual(values(again), values(cfg)) {
		t.Errorf("round trip differs")
	}
}

// values strips locations so two configurations can be compared.
func values(c *Config) map[string]string {
	m := make(map[string]string)
	for k, s := range c.s.values {
		m[k] = s.v.raw
	}
	return m
}

// An option gocyrus accepts but does not act on is named in a warning
// with its file and line, so no administrator relies on it unawares.
func TestNoEffectOptionsWarn(t *testing.T) {
	cfg, err := ParseImapd(strings.NewReader("configdirectory: /c\ncrossdomains: 1\nmetapartition_files: index\n"), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	w := cfg.Warnings()
	if len(w) != 2 || !strings.HasPrefix(w[0], `imapd.conf:2: option "crossdomains" has no effect in gocyrus: `) ||
		!strings.HasPrefix(w[1], `imapd.conf:3: option "metapartition_files" has no effect in gocyrus: `) {
		t.Errorf("warnings = %q", w)
	}
}
