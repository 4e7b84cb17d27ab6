package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sampleCyrusConf = `# cyrus.conf as Cyrus 3.6 ships it, more or less
START {
  # do not delete this entry!
  recover	cmd="ctl_cyrusdb -r"
}

SERVICES {
  imap		cmd="imapd" listen="imap" prefork=5
  imaps		cmd="imapd -s" listen="imaps" prefork=1 maxchild=100
  pop3		cmd="pop3d" listen="127.0.0.1:1110" PREFORK=3 proto=tcp4
  sieve		cmd="timsieved" listen="[::1]:4190" prefork=0 proto="tcp6" maxfds=1024
  lmtpunix	cmd="lmtpd" listen="/var/lib/imap/socket/lmtp" prefork=1
  http		cmd=httpd listen=8080 babysit=yes
  fud		cmd="fud" listen="fud" proto="udp" prefork=4 maxchild=9
}

events {
  checkpoint	cmd="ctl_cyrusdb -c" period=30
  delprune	cmd="cyr_expire -E 3" at=0400   # daily
  tlsprune	cmd="tls_prune" at=400 period=5
  once		cmd="true"
}

DAEMON {
  idled		cmd="idled" wait=y
  notifyd	cmd="notifyd" maxforkrate=2 maxfds=64
}
`

func TestParseCyrusConf(t *testing.T) {
	c, err := ParseCyrusConf(strings.NewReader(sampleCyrusConf), "cyrus.conf")
	if err != nil {
		t.Fatal(err)
	}
	names := func(es []Entry) []string {
		var n []string
		for _, e := range es {
			n = append(n, e.Name)
		}
		return n
	}
	for _, tc := range []struct {
		got, want []string
	}{
		{names(c.Start), []string{"recover"}},
		{names(c.Services), []string{"imap", "imaps", "pop3", "sieve", "lmtpunix", "http", "fud"}},
		{names(c.Events), []string{"checkpoint", "delprune", "tlsprune", "once"}},
		{names(c.Daemons), []string{"idled", "notifyd"}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("names = %v, want %v", tc.got, tc.want)
		}
	}
	imaps, _ := c.Service("IMAPS")
	want := Entry{Section: SectionServices, Name: "imaps", File: "cyrus.conf", Line: 9,
		Cmd: []string{"imapd", "-s"}, Listen: "imaps", Proto: "tcp", Prefork: 1, MaxChild: 100,
		Args: map[string]string{"cmd": "imapd -s", "listen": "imaps", "prefork": "1", "maxchild": "100"}}
	if !reflect.DeepEqual(imaps, want) {
		t.Errorf("imaps =\n%+v\nwant\n%+v", imaps, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"recover cmd", c.Start[0].Cmd, []string{"ctl_cyrusdb", "-r"}},
		{"imap maxchild default", c.Services[0].MaxChild, -1},
		{"pop3 key case", c.Services[2].Prefork, 3},
		{"pop3 proto", c.Services[2].Proto, "tcp4"},
		{"sieve maxfds", c.Services[3].MaxFds, 1024},
		{"unix listen", c.Services[4].Listen, "/var/lib/imap/socket/lmtp"},
		{"babysit prefork", c.Services[5].Prefork, 1},
		{"babysit maxforkrate", c.Services[5].MaxForkRate, 10},
		{"bare cmd", c.Services[5].Cmd, []string{"httpd"}},
		{"udp prefork", c.Services[6].Prefork, 1},
		{"udp maxchild", c.Services[6].MaxChild, 1},
		{"period", c.Events[0].Period, 30},
		{"at", c.Events[1].At, "0400"},
		{"at period", c.Events[1].Period, 1440},
		{"at short form", c.Events[2].At, "0400"},
		{"at overrides period", c.Events[2].Period, 1440},
		{"run once", c.Events[3].Period, 0},
		{"event line", c.Events[1].Line, 19},
		{"wait", c.Daemons[0].Wait, true},
		{"daemon maxforkrate default", c.Daemons[0].MaxForkRate, 10},
		{"daemon maxforkrate", c.Daemons[1].MaxForkRate, 2},
		{"daemon section", c.Daemons[1].Section, SectionDaemon},
		{"all entries", len(c.Entries()), 14},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if _, ok := c.Service("recover"); ok {
		t.Error("Service found a START entry")
	}
}

func TestParseCyrusConfOneLineSections(t *testing.T) {
	c, err := ParseCyrusConf(strings.NewReader(`START { recover cmd="ctl_cyrusdb -r" }
SERVICES{imap cmd="imapd" listen="imap"}
EVENTS { } DAEMON {
  idled cmd=idled }
`), "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Start) != 1 || len(c.Services) != 1 || len(c.Events) != 0 || len(c.Daemons) != 1 {
		t.Errorf("got %+v", c)
	}
}

func TestParseCyrusConfErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown section", "\nFOO {\n}\n", `c.conf:2: unknown section "FOO"`},
		{"no brace", "SERVICES\n{\n}\n", `c.conf:1: expected '{' after SERVICES`},
		{"unclosed", "START {\n  a cmd=x\n", `c.conf:1: section START is not closed`},
		{"stray close", "}\n", `c.conf:1: expected a section name, found '}'`},
		{"text outside", `cmd="x"` + "\n", `c.conf:1: expected a section name`},
		{"bad name", "SERVICES {\n  imap-ssl cmd=imapd listen=993\n}\n", `c.conf:2: bad character '-' in name "imap-ssl"`},
		{"underscore name", "DAEMON {\n  my_d cmd=x\n}\n", `c.conf:2: bad character '_' in name "my_d"`},
		{"no cmd", "START {\n  a\n}\n", `c.conf:2: entry "a" has no cmd`},
		{"empty cmd", "START {\n  a cmd=\"  \"\n}\n", `c.conf:2: entry "a" has an empty cmd`},
		{"no listen", "SERVICES {\n  imap cmd=imapd\n}\n", `c.conf:2: service "imap" has no listen`},
		{"empty listen", "SERVICES {\n  imap cmd=imapd listen=\"\"\n}\n", `c.conf:2: service "imap" has an empty listen`},
		{"long unix path", "SERVICES {\n  l cmd=lmtpd listen=/" + strings.Repeat("a", 120) + "\n}\n", `c.conf:2: service "l": UNIX socket path longer`},
		{"bad proto", "SERVICES {\n  imap cmd=imapd listen=143 proto=sctp\n}\n", `c.conf:2: service "imap": unknown proto "sctp"`},
		{"unknown key", "SERVICES {\n  imap cmd=imapd listen=143 prefrok=3\n}\n", `c.conf:2: unknown option "prefrok" in SERVICES entry "imap"`},
		{"key of another section", "EVENTS {\n  e cmd=x listen=143\n}\n", `c.conf:2: unknown option "listen" in EVENTS entry "e"`},
		{"duplicate key", "START {\n  a cmd=x CMD=y\n}\n", `c.conf:2: option "cmd" given twice in entry "a"`},
		{"bad integer", "SERVICES {\n  imap cmd=imapd listen=143 prefork=five\n}\n", `c.conf:2: entry "imap": prefork="five" is not an integer`},
		{"negative prefork", "SERVICES {\n  imap cmd=imapd listen=143 prefork=-1\n}\n", `c.conf:2: entry "imap": prefork=-1 is below 0`},
		{"maxchild below -1", "SERVICES {\n  imap cmd=imapd listen=143 maxchild=-2\n}\n", `c.conf:2: entry "imap": maxchild=-2 is below -1`},
		{"absurd prefork", "SERVICES {\n  imap cmd=imapd listen=143 prefork=99999999\n}\n", `c.conf:2: entry "imap": prefork=99999999 is above 1024`},
		{"absurd maxchild", "SERVICES {\n  imap cmd=imapd listen=143 maxchild=99999999\n}\n", `c.conf:2: entry "imap": maxchild=99999999 is above 1048576`},
		{"absurd maxforkrate", "SERVICES {\n  imap cmd=imapd listen=143 maxforkrate=99999999\n}\n", `c.conf:2: entry "imap": maxforkrate=99999999 is above 10000`},
		{"absurd maxfds", "SERVICES {\n  imap cmd=imapd listen=143 maxfds=99999999\n}\n", `c.conf:2: entry "imap": maxfds=99999999 is above 1048576`},
		{"absurd daemon maxfds", "DAEMON {\n  d cmd=x maxfds=99999999\n}\n", `c.conf:2: entry "d": maxfds=99999999 is above 1048576`},
		{"absurd period", "EVENTS {\n  e cmd=x period=99999999\n}\n", `c.conf:2: entry "e": period=99999999 is above 527040`},
		{"bad switch", "DAEMON {\n  d cmd=x wait=maybe\n}\n", `c.conf:2: entry "d": wait: invalid switch "maybe"`},
		{"bad at", "EVENTS {\n  e cmd=x at=2400\n}\n", `c.conf:2: entry "e": at="2400" is not a time HHMM`},
		{"bad at minutes", "EVENTS {\n  e cmd=x at=1260\n}\n", `at="1260" is not a time`},
		{"bad at text", "EVENTS {\n  e cmd=x at=4am\n}\n", `at="4am" is not a time`},
		{"bad period", "EVENTS {\n  e cmd=x period=-5\n}\n", `c.conf:2: entry "e": period=-5 is below 0`},
		{"duplicate service", "SERVICES {\n  imap cmd=imapd listen=143\n}\nDAEMON {\n  IMAP cmd=x\n}\n", `c.conf:5: multiple entries for service "IMAP" (first at c.conf:2)`},
		{"two entries on a line", "START {\n  a cmd=x b cmd=y\n}\n", `c.conf:2: unexpected "b" after entry "a"`},
		{"unterminated quote", "START {\n  a cmd=\"x\n}\n", `c.conf:2: cmd: unterminated quoted value`},
		{"comment inside quotes", "START {\n  a cmd=\"x # y\"\n}\n", `c.conf:2: cmd: unterminated quoted value`},
		{"junk after quote", "START {\n  a cmd=\"x\"y\n}\n", `c.conf:2: cmd: unexpected 'y' after quoted value`},
		{"bad key char", "START {\n  a c-md=x\n}\n", `c.conf:2: bad character '-' in key "c-md"`},
		{"assign without key", "START {\n  a =x\n}\n", `c.conf:2: '=' without a key`},
		{"entry without name", "START {\n  cmd=x\n}\n", `c.conf:2: expected an entry name, found "cmd=x"`},
		{"bare quote", "START {\n  a \"x\"\n}\n", `c.conf:2: unexpected '"'`},
		{"long line", "START {\n" + strings.Repeat("a", maxLineBytes+1) + "\n}\n", `c.conf:2: line longer than`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCyrusConf(strings.NewReader(tc.text), "c.conf")
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

func TestCyrusConfWriteToRoundTrip(t *testing.T) {
	c, err := ParseCyrusConf(strings.NewReader(sampleCyrusConf), "cyrus.conf")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := c.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	again, err := ParseCyrusConf(bytes.NewReader(out.Bytes()), "out")
	if err != nil {
		t.Fatalf("reparse: %v\n%s", err, out.String())
	}
	a, b := c.Entries(), again.Entries()
	if len(a) != len(b) {
		t.Fatalf("entries %d vs %d", len(a), len(b))
	}
	for i := range a {
		a[i].File, a[i].Line, a[i].Args = "", 0, nil
		b[i].File, b[i].Line, b[i].Args = "", 0, nil
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Errorf("entry %d:\n%+v\n%+v", i, a[i], b[i])
		}
	}
}

func TestLoadCyrusConf(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cyrus.conf")
	if err := os.WriteFile(p, []byte(sampleCyrusConf), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCyrusConf(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Services[0].File != p {
		t.Errorf("File = %q", c.Services[0].File)
	}
	if _, err := LoadCyrusConf(p + ".absent"); err == nil {
		t.Error("missing file loaded")
	}
}

// TestManPageExample keeps the EXAMPLE of cyrus.conf(5) valid.
func TestManPageExample(t *testing.T) {
	page, err := os.ReadFile("../../man/man5/cyrus.conf.5")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(page), ".SH EXAMPLE\n.nf\n")
	example, _, ok2 := strings.Cut(rest, ".fi\n")
	if !ok || !ok2 {
		t.Fatal("cyrus.conf.5 has no EXAMPLE block")
	}
	c, err := ParseCyrusConf(strings.NewReader(strings.ReplaceAll(example, `\-`, "-")), "cyrus.conf.5")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries()) != 10 {
		t.Errorf("example has %d entries, want 10", len(c.Entries()))
	}
}

func TestZeroConfig(t *testing.T) {
	var c Config
	if c.Altnamespace() != true || c.Warnings() != nil || len(c.Partitions()) != 0 {
		t.Error("zero Config does not read as defaults")
	}
	if err := c.Set("configdirectory", "/x"); err != nil || c.Configdirectory() != "/x" {
		t.Errorf("Set on zero Config: %v", err)
	}
}
