package master

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gocyrus/pkg/config"
)

// TestProgramsDebianWrapper: Debian's "/usr/sbin/cyrus NAME args" runs our NAME, cyr_NAME or
// ctl_NAME (found beside master); entries naming programs gocyrus does not ship are left out,
// each reported once with file:line and the reason, also after a reload.
func TestProgramsDebianWrapper(t *testing.T) {
	bin := t.TempDir()
	for _, p := range []string{"imapd", "cyr_expire", "ctl_cyrusdb", "tls_prune"} {
		if err := os.WriteFile(filepath.Join(bin, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	m := &Master{opts: Options{BinDir: bin}, reported: map[string]bool{},
		log: slog.New(slog.NewTextHandler(&logs, nil))}
	cc, err := config.ParseCyrusConf(strings.NewReader(`START {
  recover cmd="/usr/sbin/cyrus ctl_cyrusdb -r"
  delprune cmd="/usr/sbin/cyrus expire -E 3"
  tlsprune cmd="/usr/sbin/cyrus tls_prune"
}
SERVICES {
  imap cmd="/usr/sbin/cyrus imapd -U 30" listen="imap" prefork=0
  nntp cmd="nntpd -U 30" listen="nntp" prefork=0
  notify cmd="notifyd" listen="/run/cyrus/socket/notify" proto="udp" prefork=1
}
EVENTS {
  squatter cmd="/usr/sbin/cyrus squatter -s" period=120
  checkpoint cmd="/usr/sbin/cyrus ctl_cyrusdb -c" period=30
}
`), "/etc/cyrus.conf")
	if err != nil {
		t.Fatal(err)
	}
	got := m.programs(cc)
	var cmds []string
	for _, list := range [][]config.Entry{got.Start, got.Services, got.Events, got.Daemons} {
		for _, e := range list {
			cmds = append(cmds, e.Name+"="+strings.Join(e.Cmd, " "))
		}
	}
	want := []string{"recover=ctl_cyrusdb -r", "delprune=cyr_expire -E 3", "tlsprune=tls_prune",
		"imap=imapd -U 30", "squatter=squatter -s", "checkpoint=ctl_cyrusdb -c"}
	if !slices.Equal(cmds, want) {
		t.Errorf("entries run:\n got %q\nwant %q", cmds, want)
	}
	for _, w := range []string{
		`/etc/cyrus.conf:8: SERVICES entry \"nntp\" names nntpd, which gocyrus does not ship (netnews (NNTP) is not provided)`,
		`/etc/cyrus.conf:9: SERVICES entry \"notify\" names notifyd`,
	} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("log lacks %s:\n%s", w, logs.String())
		}
	}
	m.programs(cc) // SIGHUP: not reported again
	if n := strings.Count(logs.String(), "does not ship"); n != 2 {
		t.Errorf("%d reports after a reload, want 2:\n%s", n, logs.String())
	}
}
