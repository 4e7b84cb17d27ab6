package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolCommandLines runs every program with command lines as Cyrus's man
// pages and admins write them: POSIX getopt (combined flags "-rf", an
// option's argument attached "-C/etc/x.conf" or separate, flags after the
// operands, "--" ending the options; docs/HACKING.md "Command lines"). The
// configuration files named are malformed on line 1, so each run stops
// right after parsing: a parse that worked fails on that line ("FILE:1: "),
// with a status other than EX_USAGE; a parse that did not cannot have read
// the file and says something else.
func TestToolCommandLines(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "bad-imapd.conf")
	cyrusConf := filepath.Join(dir, "bad-cyrus.conf")
	for _, f := range []string{conf, cyrusConf} {
		if err := os.WriteFile(f, []byte("no colon here\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lines := []struct {
		prog string
		args string // split on spaces; {C} is the imapd.conf, {M} the cyrus.conf
	}{
		{"reconstruct", "-C {C} -rf user.x"},
		{"reconstruct", "-C{C} -r -f user.x"},
		{"reconstruct", "-rfC {C} user.x"},
		{"reconstruct", "-rfC{C} user.x"},
		{"reconstruct", "-C {C} -p default -r user.x"},
		{"reconstruct", "-C {C} -pdefault user.x"},
		{"reconstruct", "-C {C} user.x -r"},
		{"reconstruct", "-C {C} -r -- user.x"},
		{"quota", "-C {C} -f"},
		{"quota", "-C{C} -fn user.x"},
		{"quota", "-C {C} -d example.com -f"},
		{"quota", "-C {C} -dexample.com"},
		{"ctl_mboxlist", "-C {C} -d"},
		{"ctl_mboxlist", "-C{C} -dx -p default"},
		{"ctl_mboxlist", "-C {C} -dxpdefault"},
		{"ctl_mboxlist", "-C {C} -u -L"},
		{"ctl_cyrusdb", "-C {C} -r"},
		{"ctl_cyrusdb", "-C{C} -c"},
		{"ctl_deliver", "-C {C} -d"},
		{"ctl_deliver", "-C {C} -E 3"},
		{"ctl_deliver", "-C{C} -E3"},
		{"cyr_expire", "-C {C} -E 3 -D 14 -X 14"},
		{"cyr_expire", "-C {C} -E3 -X14 -v"},
		{"cyr_expire", "-C{C} -avx -D 7d -p user.x"},
		{"ipurge", "-C {C} -f -d 14 user.x"},
		{"ipurge", "-C {C} -fd14 user.x"},
		{"ipurge", "-C{C} -X -b 100 -- user.x"},
		{"unexpunge", "-C {C} -l user.x"},
		{"unexpunge", "-C{C} -av user.x"},
		{"unexpunge", "-C {C} -t 1h user.x"},
		{"mbpath", "-C {C} user.x"},
		{"cyr_info", "-C {C} conf"},
		{"cyr_info", "-C{C} -n imap conf-all"},
		{"cyr_info", "-C {C} -M {M} conf-lint"},
		{"mbpath", "-C{C} -qs user.x"},
		{"chk_cyrus", "-C {C}"},
		{"chk_cyrus", "-C{C} -P default"},
		{"chk_cyrus", "-C {C} -Muser.x"},
		{"relocate_by_id", "-C {C} -n user.x"},
		{"relocate_by_id", "-C{C} -nqu x"},
		{"relocate_by_id", "-C {C} -n -- user.x"},
		{"mbexamine", "-C {C} user.x"},
		{"mbexamine", "-C{C} -u 3 user.x"},
		{"mbexamine", "-C {C} -s3 user.x user.y"},
		{"mbexamine", "-qC {C} user.x"},
		{"squatter", "-C {C} -r user.x"},
		{"squatter", "-ivC{C} user.x"},
		{"squatter", "-C {C} -a -s"},
		{"squatter", "-C {C} user.x -r"},
		{"cyr_dbtool", "-C {C} /var/lib/cyrus/mailboxes.db twoskip show"},
		{"cyr_dbtool", "-C{C} -T /var/lib/cyrus/quota quotalegacy show user."},
		{"cyr_dbtool", "-NC {C} -o foo=bar /var/lib/cyrus/annotations.db twoskip consistent"},
		{"arbitron", "-C {C} -o -d 7 shared*"},
		{"arbitron", "-uC{C} -D01012026:02012026"},
		{"arbitron", "-C {C} shared -lp3"},
		{"cyr_userseen", "-C {C} -d"},
		{"cyr_userseen", "-dC{C}"},
		{"cyr_deny", "-C {C} -l"},
		{"cyr_deny", "-lC{C}"},
		{"cyr_deny", "-C{C} -s imap,pop3 -mClosed alice"},
		{"cyr_deny", "alice -C {C} -a"},
		{"cyr_df", "-C {C} -m"},
		{"cyr_df", "-mC{C}"},
		{"cyr_ls", "-C {C} -lR1 user.x"},
		{"cyr_ls", "-C{C} -7 user.x -i"},
		{"cyr_ls", "-1pC {C} /var/spool"},
		{"saslpasswd", "-C {C} -c alice"},
		{"saslpasswd", "-C{C} -cp alice"},
		{"saslpasswd", "-C {C} -d alice"},
		{"deliver", "-C {C} -a alice -m INBOX alice"},
		{"deliver", "-C{C} -q -ealice -r bob@example.com alice"},
		{"deliver", "-C {C} -l"},
		{"master", "-C {C} -M {M} -p /nonexistent/master.pid -d"},
		{"master", "-C{C} -M{M} -D -l 64"},
		{"fud", "-C {C} -l 127.0.0.1:0"},
		{"fud", "-C{C} -D"},
		{"tls_prune", "-C {C}"},
		{"tls_prune", "-C{C}"},
		{"imapd", "-C {C} -s -U 30"},
		{"imapd", "-C{C} -sU30 -T 60"},
		{"imapd", "-U 30 -C {C} -l 127.0.0.1:0 -D"},
		{"pop3d", "-C {C} -s"},
		{"pop3d", "-C{C} -U30"},
		{"lmtpd", "-C {C} -a"},
		{"lmtpd", "-aC{C} -l 127.0.0.1:0"},
		{"timsieved", "-C {C}"},
		{"timsieved", "-C{C} -T 60"},
		{"smmapd", "-C {C} -l 127.0.0.1:0"},
		{"smmapd", "-C{C} -T 60 -D"},
		{"promstatsd", "-C {C} -v -f 5 -d"},
		{"promstatsd", "-C{C} -vc"},
		{"promstatsd", "-vf5 -C {C} -l 127.0.0.1:0"},
		{"sieve-check", "-C {C} script.sieve"},
		{"sieve-check", "-C{C} -u alice script.sieve"},
		{"sieve-check", "script.sieve -C {C}"},
		{"sievec", "-C {C} script.sieve script.out"},
		{"sievec", "-C{C} script.sieve script.out"},
		{"sievec", "script.sieve script.out -C {C}"},
		{"sievec", "-C {C} -- script.sieve script.out"},
		{"sieved", "-sC {C} script.sieve"},
		{"sieved", "script.sieve -C{C}"},
	}
	for _, l := range lines {
		args := strings.Fields(strings.NewReplacer("{C}", conf, "{M}", cyrusConf).Replace(l.args))
		r := runBin(t, "", l.prog, args...)
		if r.code == 0 || r.code == 64 || !strings.Contains(r.stderr, conf+":1: ") && !strings.Contains(r.stderr, cyrusConf+":1: ") {
			t.Errorf("%s %s: exit %d, stderr %q: want the options parsed, then the configuration's line 1 refused",
				l.prog, l.args, r.code, strings.TrimSpace(r.stderr))
		}
	}
}
