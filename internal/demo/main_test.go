package main

import (
	"strings"
	"testing"

	"gocyrus/pkg/config"
)

// TestDemoCyrusConfParses: master must accept the cyrus.conf the demo
// writes, EVENTS included.
func TestDemoCyrusConfParses(t *testing.T) {
	text := cyrusConfText([]string{`  imap      cmd="imapd" listen="127.0.0.1:1143" prefork=1`})
	conf, err := config.ParseCyrusConf(strings.NewReader(text), "cyrus.conf")
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(conf.Services) != 1 || len(conf.Start) != 1 {
		t.Errorf("services %+v, start %+v", conf.Services, conf.Start)
	}
	want := map[string]struct {
		cmd, at string
		period  int
	}{
		"checkpoint":   {"ctl_cyrusdb -c", "", 30},
		"delprune":     {"cyr_expire -E 3", "0400", 1440},
		"deleteprune":  {"cyr_expire -E 4 -D 28", "0430", 1440},
		"expungeprune": {"cyr_expire -E 4 -X 28", "0445", 1440},
	}
	if len(conf.Events) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(conf.Events), len(want), conf.Events)
	}
	for _, e := range conf.Events {
		w, ok := want[e.Name]
		if !ok || strings.Join(e.Cmd, " ") != w.cmd || e.At != w.at || e.Period != w.period {
			t.Errorf("event %s: cmd %q at %q period %d; want %+v", e.Name, e.Cmd, e.At, e.Period, w)
		}
	}
}
