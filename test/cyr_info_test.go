package test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runCyrInfo runs our cyr_info on the fixture configuration copied to a
// temporary directory (as Cyrus read it from /tmp/cyrinfo).
func runCyrInfo(t *testing.T, args ...string) result {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"imapd.conf", "cyrus.conf"} {
		data, err := os.ReadFile(filepath.Join("compat", "fixtures", "cyr_info", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangTimeout)
	defer cancel()
	argv := append([]string{"-C", filepath.Join(dir, "imapd.conf"), "-M", filepath.Join(dir, "cyrus.conf")}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "cyr_info"), argv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// sortedLines compares outputs whose order Cyrus takes from a hash table.
func sortedLines(s string) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(lines)
	return lines
}

// TestCyrInfoMatchesCyrus compares conf, conf -n imap and conf-lint on
// the fixture with Cyrus 3.6.1's (test/compat/fixtures/cyr_info.txt):
// the same lines (Cyrus prints the unknown keys in hash order, we in
// file order), and conf-lint's reasons on stderr with file:line.
func TestCyrInfoMatchesCyrus(t *testing.T) {
	for _, c := range readFixtureCases(t, "cyr_info.txt") {
		args := strings.Fields(c.args)[2:] // after -M <cyrus.conf>
		switch strings.Join(args, " ") {
		case "conf", "-n imap conf", "conf-lint":
		case "nosuch", "":
			got := runCyrInfo(t, args...)
			if got.code != c.code || !strings.HasPrefix(got.stderr, strings.SplitN(c.stderr, "\n", 2)[0]) {
				t.Errorf("cyr_info %v: exit %d, stderr %q; Cyrus exits %d with its usage", args, got.code, got.stderr, c.code)
			}
			continue
		default:
			continue // conf-all/conf-default: our option table is not Cyrus's (cyr_info.8)
		}
		got := runCyrInfo(t, args...)
		if got.code != c.code || !slices.Equal(sortedLines(got.stdout), sortedLines(c.stdout)) {
			t.Errorf("cyr_info %v differs from Cyrus 3.6.1:\ngot exit %d\n%s\nwant exit %d\n%s", args, got.code, got.stdout, c.code, c.stdout)
		}
		if args[0] == "conf-lint" {
			for _, want := range []string{
				`imapd.conf:16: unknown option "allowplaintxt" (did you mean "allowplaintext"?)`,
				`imapd.conf:17: unknown option "imapd_timeout": no service "imapd" in cyrus.conf (did you mean "imap_timeout"?)`,
				`imapd.conf:18: unknown option "lmtp_timeout": no service "lmtp" in cyrus.conf`,
				`imapd.conf:19: unknown option "foo_bar"`,
			} {
				if !strings.Contains(got.stderr, want) {
					t.Errorf("conf-lint stderr lacks %q:\n%s", want, got.stderr)
				}
			}
		}
	}
}

// TestCyrInfoConfAll checks that conf-all shows every conf line (the
// effective value of a set option) and conf-default none of the set ones.
func TestCyrInfoConfAll(t *testing.T) {
	all := runCyrInfo(t, "conf-all")
	def := runCyrInfo(t, "conf-default")
	conf := runCyrInfo(t, "conf")
	if all.code != 0 || def.code != 0 || conf.code != 0 {
		t.Fatalf("exit codes %d %d %d: %s%s%s", all.code, def.code, conf.code, all.stderr, def.stderr, conf.stderr)
	}
	for _, l := range sortedLines(conf.stdout) {
		if !strings.Contains(all.stdout, "\n"+l+"\n") && !strings.HasPrefix(all.stdout, l+"\n") {
			t.Errorf("conf-all lacks %q", l)
		}
	}
	for _, want := range []string{"altnamespace: yes\n", "allowplaintext: no\n", "lmtpsocket: {configdirectory}/socket/lmtp\n"} {
		if !strings.Contains(def.stdout, want) {
			t.Errorf("conf-default lacks %q (Cyrus prints it so)", want)
		}
	}
	if p := runCyrInfo(t, "proc"); p.code != 0 || p.stdout != "" {
		t.Errorf("proc with no daemon running: exit %d %q %q, want nothing listed", p.code, p.stdout, p.stderr)
	}
}
