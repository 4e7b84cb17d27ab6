package master

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"gocyrus/pkg/config"
)

// notShipped names the Cyrus programs gocyrus does not provide, with the reason an entry naming
// one is left out. Such an entry is reported once (file:line) and the rest of cyrus.conf runs,
// so a stock Cyrus file (Debian's names nntpd, httpd and notifyd) starts unchanged.
var notShipped = map[string]string{
	"nntpd":       "netnews (NNTP) is not provided",
	"httpd":       "HTTP services (CalDAV, CardDAV, JMAP) are not provided",
	"notifyd":     "there is no notifyd: lmtpd sends Sieve notifications itself, through sendmail",
	"mupdate":     "the murder (mupdate and the proxies) is not provided",
	"proxyd":      "the murder (mupdate and the proxies) is not provided",
	"pop3proxyd":  "the murder (mupdate and the proxies) is not provided",
	"lmtpproxyd":  "the murder (mupdate and the proxies) is not provided",
	"sync_client": "replication is not provided",
	"sync_server": "replication is not provided",
	"backupd":     "the backup service is not provided",
	"calalarmd":   "calendar alarms (DAV) are not provided",
	"ptloader":    "the PTS group loader is not provided",
}

// debianWrapper is Debian's multiplexer, /usr/sbin/cyrus NAME ARGS, which runs NAME, else
// cyr_NAME, else ctl_NAME from Cyrus's program directory ("check" runs chk_cyrus).
const debianWrapper = "cyrus"

// programs resolves every entry's command the way master will run it: Debian's
// "/usr/sbin/cyrus NAME args" becomes our program of that name, and entries naming a program
// gocyrus does not ship are dropped, each reported once with its file:line and the reason
// (reported remembers them across SIGHUP, so a reload does not repeat the warning).
func (m *Master) programs(cc *config.CyrusConf) *config.CyrusConf {
	out := &config.CyrusConf{}
	keep := func(list []config.Entry) []config.Entry {
		var kept []config.Entry
		for _, e := range list {
			e.Cmd = m.unwrap(e.Cmd)
			if len(e.Cmd) > 0 {
				if why, ok := notShipped[filepath.Base(e.Cmd[0])]; ok {
					key := fmt.Sprintf("%s:%d:%s", e.File, e.Line, e.Name)
					if !m.reported[key] {
						m.reported[key] = true
						m.logFor(e.Name, os.Getpid()).Warn(fmt.Sprintf("%s:%d: %s entry %q names %s, which gocyrus does not ship (%s); left out, the rest runs",
							e.File, e.Line, e.Section, e.Name, filepath.Base(e.Cmd[0]), why))
					}
					continue
				}
			}
			kept = append(kept, e)
		}
		return kept
	}
	out.Start, out.Services, out.Events, out.Daemons = keep(cc.Start), keep(cc.Services), keep(cc.Events), keep(cc.Daemons)
	return out
}

// unwrap turns Debian's "/usr/sbin/cyrus NAME args" (or "cyrus NAME args") into the program
// Debian's script would run: NAME, else cyr_NAME, else ctl_NAME, the first that master finds
// (beside itself or in PATH), or that gocyrus knows it does not ship. Other commands are
// returned unchanged.
func (m *Master) unwrap(cmd []string) []string {
	if len(cmd) < 2 || filepath.Base(cmd[0]) != debianWrapper {
		return cmd
	}
	name := cmd[1]
	candidates := []string{name, "cyr_" + name, "ctl_" + name}
	if name == "check" {
		candidates = []string{"chk_cyrus"}
	}
	found := name
	for _, c := range candidates {
		if _, err := m.lookPath(c); err == nil {
			found = c
			break
		}
		if _, ok := notShipped[c]; ok {
			found = c
			break
		}
	}
	return append([]string{found}, slices.Clone(cmd[2:])...)
}
