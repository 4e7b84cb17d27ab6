package test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"gocyrus/pkg/store"
)

// lsSite builds the tree of test/compat/fixtures/cyr_df_ls.txt (capture:
// test/compat/capture/cyr_df_ls.py): user.ls with 3 messages and the
// children Sub (1 message, its own child Deep), Ünï (modified UTF-7
// &ANw-n&AO8-) and Far on partition other. It returns user.ls's directory.
func lsSite(t *testing.T) (*site, string) {
	s := newSite(t, "unixhierarchysep: no", "altnamespace: no")
	other := filepath.Join(s.dir, "spool2")
	if err := os.MkdirAll(other, 0o750); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(s.imapdConf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("partition-other: " + other + "\n")
	f.Close()
	msg := func(i int) cyrusMessage {
		return cyrusMessage{text: "From: a@example.org\r\nTo: ls@example.org\r\nSubject: m" + strconv.Itoa(i) +
			"\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody " + strconv.Itoa(i) + "\r\n" + strings.Repeat("x", 37*i) + "\r\n",
			recv: "07-Dec-2026 10:00:00 +0000"}
	}
	s.buildCyrusScenario(map[string][]cyrusMessage{
		"user.ls": {msg(1), msg(2), msg(3)}, "user.ls.Sub": {msg(1)}, "user.ls.Sub.Deep": nil, "user.ls.&ANw-n&AO8-": nil,
	}, nil)
	st, closeStore := s.openStore(t)
	if _, err := st.CreateMailbox(context.Background(), "user.ls.Far", store.CreateOptions{Partition: "other"}); err != nil {
		t.Fatal(err)
	}
	closeStore()
	return s, strings.TrimSpace(s.must("", "mbpath", "user.ls"))
}

// lsLong blanks the columns of an -l line that belong to the machine, not
// to the tree: mode (Cyrus makes spool directories 0755, gocyrus 0750),
// links, owner, group, size and change time; the test checks ours against
// the directory itself.
var lsLong = regexp.MustCompile(`(?m)^[d-][rwx-]{9} \d+ \S+ +\S+ +\d+ [A-Z][a-z]{2} \d\d [ \d]\d:\d\d  `)

// TestCyrLsMatchesCyrus compares cyr_ls with Cyrus 3.6.1's on the same
// tree: columns and their padding, one a line, recursion, the UTF-8 and
// modified UTF-7 (quoted) forms, unique ids (blanked: each server makes
// its own), -l (machine columns blanked, the rest checked against the
// directory itself), -m, a mailbox found by its spool directory (-p, and
// the current directory), an unknown mailbox and -h.
func TestCyrLsMatchesCyrus(t *testing.T) {
	t.Setenv("TZ", "UTC")
	s, dir := lsSite(t)
	ids := regexp.MustCompile(`(?m)^[a-z0-9]{24} `)
	shape := func(out string) string {
		return ids.ReplaceAllString(lsLong.ReplaceAllString(out, "<machine> "), "<id>                     ")
	}
	for _, args := range []string{"user.ls", "-1 user.ls", "-l user.ls", "-R user.ls", "-lR1 user.ls", "-i user.ls",
		"-7 user.ls", `-7 user.ls.\&ANw-n\&AO8-`, "user.ls.Sub", "-m user.ls"} {
		c := fixture(t, "cyr_df_ls.txt", args, 0)
		r := s.run("", "cyr_ls", strings.Fields(strings.ReplaceAll(args, `\`, ""))...)
		if r.code != c.code || shape(r.stdout) != shape(c.stdout) || r.stderr != c.stderr {
			t.Errorf("cyr_ls %s differs from Cyrus 3.6.1:\ngot  exit %d\n%q\n%s\nwant exit %d\n%q\n%s",
				args, r.code, shape(r.stdout), r.stderr, c.code, shape(c.stdout), c.stderr)
		}
	}
	// The -l columns we blanked, against the directories themselves.
	out := s.must("", "cyr_ls", "-l", "user.ls.Sub")
	deep := strings.TrimSpace(s.must("", "mbpath", "user.ls.Sub.Deep"))
	fi, err := os.Stat(deep)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if want := fi.Mode().String()[0:1] + fi.Mode().Perm().String()[1:] + " " + strconv.Itoa(int(st.Nlink)) + " "; !strings.Contains(out, "\n"+want) ||
		!strings.Contains(out, " "+strconv.FormatInt(fi.Size(), 10)+" ") || !strings.HasSuffix(out, "  Deep\n") {
		t.Errorf("cyr_ls -l user.ls.Sub = %q; the directory: %v, %d links, %d bytes", out, fi.Mode(), st.Nlink, fi.Size())
	}

	want := fixture(t, "cyr_df_ls.txt", "user.ls", 0).stdout
	if r := s.run("", "cyr_ls", "-p", dir); r.code != 0 || r.stdout != want {
		t.Errorf("cyr_ls -p <spool>: exit %d\n%q\n%s", r.code, r.stdout, r.stderr)
	}
	cmd := exec.Command(filepath.Join(binDir, "cyr_ls"), "-C", s.imapdConf)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil || o.String() != want {
		t.Errorf("cyr_ls in <spool>: %v\n%q\n%s", err, o.String(), e.String())
	}

	c := fixture(t, "cyr_df_ls.txt", "user.nosuch", 0)
	if r := s.run("", "cyr_ls", "user.nosuch"); r.code != c.code || r.stdout != c.stdout || r.stderr != "Invalid mailbox name: 'user.nosuch'\n" {
		t.Errorf("unknown mailbox: exit %d, %q, %q; Cyrus: exit %d, %q, %q (its '(null)' is our argument)", r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
	}
	if r := s.run("", "cyr_ls", "-p", filepath.Join(s.dir, "config")); r.code != 0 || r.stdout != "" || !strings.HasPrefix(r.stderr, "Invalid mailbox name: ") {
		t.Errorf("cyr_ls -p <not a mailbox>: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	checkUsage(t, "cyr_ls", fixture(t, "cyr_df_ls.txt", "-h", 1))
}

// checkUsage runs prog -h: Cyrus's usage on stdout, exit 0 (Cyrus has no
// -h: it prints "invalid option" and the same usage on stderr, which is
// what the fixture holds after its first line).
func checkUsage(t *testing.T, prog string, c fixtureCase) {
	t.Helper()
	_, want, _ := strings.Cut(c.stderr, "\n")
	if r := runBin(t, "", prog, "-h"); r.code != 0 || r.stdout != want {
		t.Errorf("%s -h: exit %d\n%q\nwant %q", prog, r.code, r.stdout, want)
	}
}

// dfRow is one partition line of cyr_df: name, 1k-blocks, used,
// available, use%, location, in Cyrus's widths.
var dfRow = regexp.MustCompile(`^(\S+) +(\d+) +(\d+) +(\d+) +(\d+)% (.*)$`)

// TestCyrDfMatchesCyrus compares cyr_df with Cyrus 3.6.1's: the header
// byte for byte, each row's column widths (the numbers are the machine's:
// checked against statfs instead, the used and free ones with slack for
// the other writers of a shared disk), one row per partition, in name
// order (Cyrus: its hash table's order), -m and -h.
func TestCyrDfMatchesCyrus(t *testing.T) {
	s, _ := lsSite(t)
	c := fixture(t, "cyr_df_ls.txt", "", 0)
	r := s.run("", "cyr_df")
	wantLines := strings.Split(strings.TrimSuffix(c.stdout, "\n"), "\n")
	gotLines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || len(gotLines) != 3 || gotLines[0] != wantLines[0] {
		t.Fatalf("cyr_df: exit %d\n%s%s\nCyrus:\n%s", r.code, r.stdout, r.stderr, c.stdout)
	}
	width := regexp.MustCompile(`\d`)
	parts := map[string]string{"default": s.spool, "other": filepath.Join(s.dir, "spool2")}
	for i, name := range []string{"default", "other"} {
		line := gotLines[i+1]
		m := dfRow.FindStringSubmatch(line)
		if m == nil || m[1] != name || m[6] != parts[name] {
			t.Errorf("row %d = %q, want partition %s at %s", i, line, name, parts[name])
			continue
		}
		// Same layout as Cyrus's row for that partition, digits aside.
		for _, w := range wantLines[1:] {
			if wm := dfRow.FindStringSubmatch(w); wm != nil && wm[1] == name {
				g := width.ReplaceAllString(strings.TrimSuffix(line, m[6]), "9")
				wnt := width.ReplaceAllString(strings.TrimSuffix(w, wm[6]), "9")
				if len(m[2]) == len(wm[2]) && g != wnt {
					t.Errorf("row layout %q, Cyrus %q", g, wnt)
				}
			}
		}
		var fs syscall.Statfs_t
		if err := syscall.Statfs(parts[name], &fs); err != nil {
			t.Fatal(err)
		}
		total, used, avail := fs.Blocks*uint64(fs.Frsize)/1024, (fs.Blocks-fs.Bfree)*uint64(fs.Frsize)/1024, fs.Bavail*uint64(fs.Frsize)/1024
		n := func(i int) uint64 { v, _ := strconv.ParseUint(m[i], 10, 64); return v }
		near := func(a, b uint64) bool { d := int64(a - b); return d < int64(total/100)+1 && -d < int64(total/100)+1 }
		if n(2) != total || !near(n(3), used) || !near(n(4), avail) {
			t.Errorf("row %q; statfs: %d blocks, %d used, %d available", line, total, used, avail)
		}
		if p := n(5); p > 100 || p*(n(3)+n(4)) > n(3)*100+(n(3)+n(4))/2+n(3)+n(4) {
			t.Errorf("row %q: use%% %d does not follow used/(used+available)", line, p)
		}
	}
	// -m: gocyrus keeps the metadata in the spool (cyr_df.8), so the same rows.
	if m := s.run("", "cyr_df", "-m"); m.code != 0 || len(strings.Split(m.stdout, "\n")) != 4 || !strings.Contains(m.stdout, " "+s.spool+"\n") {
		t.Errorf("cyr_df -m: exit %d\n%s%s", m.code, m.stdout, m.stderr)
	}
	checkUsage(t, "cyr_df", fixture(t, "cyr_df_ls.txt", "-h", 0))
	if r := s.run("", "cyr_df", "x"); r.code != 64 || r.stdout != "" {
		t.Errorf("cyr_df x: exit %d, %q", r.code, r.stdout)
	}
}
