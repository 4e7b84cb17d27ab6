package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// sievecDir copies the scripts of test/compat/fixtures/sievec/ (the ones
// test/compat/capture/sievec.py ran Cyrus's sievec and sieved on) to a
// scratch directory with an imapd.conf, and returns both.
func sievecDir(t *testing.T) (dir, conf string) {
	t.Helper()
	dir = t.TempDir()
	files, err := filepath.Glob(filepath.Join("compat", "fixtures", "sievec", "*.sieve"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture scripts: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf = filepath.Join(dir, "imapd.conf")
	if err := os.WriteFile(conf, []byte("configdirectory: "+dir+"\nsievedir: "+dir+"/sieve\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, conf
}

// runIn runs one of the binaries under test in dir and returns what it
// printed and its peak memory (KiB).
func runIn(t *testing.T, dir, prog string, args ...string) (result, int64) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, prog), args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", prog, err)
		}
		code = ee.ExitCode()
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}, rss
}

// sievecRefused lists the fixture scripts Cyrus compiles and gocyrus
// refuses on purpose (sievec.8, DIFFERENCES): a NUL in a string (Cyrus
// cuts the string there) and ifs nested deeper than 64.
var sievecRefused = map[string]bool{"err-nul": true, "deep": true}

// firstErrorLine is the "line N:" of the first error sievec reports.
var firstErrorLine = regexp.MustCompile(`(?m)^line \d+: `)

// TestSievecMatchesCyrus runs sievec on the scripts Cyrus 3.6.1's sievec
// compiled (test/compat/fixtures/sievec.txt): the same exit status, no
// output on success and an output file holding the script, Cyrus's
// wording and line number for each script that does not compile (the
// message after it is pkg/sieve's), Cyrus's texts for a missing input, an
// unwritable output and usage errors.
func TestSievecMatchesCyrus(t *testing.T) {
	dir, conf := sievecDir(t)
	cyrusPath := "/usr/lib/cyrus/bin/sievec"
	ours := filepath.Join(binDir, "sievec")
	n := 0
	for _, c := range readFixtureCases(t, "sievec.txt") {
		if strings.Contains(c.args, "/sieved") {
			continue
		}
		n++
		args := strings.Fields(c.args)
		if c.args == "-h" {
			r, _ := runIn(t, dir, "sievec", "-h")
			_, want, _ := strings.Cut(c.stderr, "\n")
			if r.code != 0 || r.stdout != strings.ReplaceAll(want, cyrusPath, ours) {
				t.Errorf("sievec -h: exit %d %q, want %q", r.code, r.stdout, want)
			}
			continue
		}
		r, _ := runIn(t, dir, "sievec", append([]string{"-C", conf}, args...)...)
		name := ""
		if len(args) == 2 {
			name = strings.TrimSuffix(args[0], ".sieve")
		}
		if sievecRefused[name] {
			if c.code != 0 || r.code != 1 || !strings.HasPrefix(r.stderr, "Unable to parse script: script errors:\r\nline ") {
				t.Errorf("sievec %s: exit %d %q; gocyrus refuses it on purpose (Cyrus: exit %d)", c.args, r.code, r.stderr, c.code)
			}
			continue
		}
		want := strings.ReplaceAll(c.stderr, cyrusPath, ours)
		got := r.stderr
		if strings.HasPrefix(want, "Unable to parse script") {
			// The line of the first error, in Cyrus's frame; the reason is ours.
			want = want[:firstErrorLine.FindStringIndex(want)[1]]
			if loc := firstErrorLine.FindStringIndex(got); loc != nil {
				got = got[:loc[1]]
			}
		}
		if r.code != c.code || r.stdout != c.stdout || got != want {
			t.Errorf("sievec %s: exit %d\n%s--stderr--\n%s\nCyrus: exit %d\n%s--stderr--\n%s\ncompared %q with %q", c.args, r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr, got, want)
		}
		if len(args) == 2 && c.code == 0 {
			src, _ := os.ReadFile(filepath.Join(dir, args[0]))
			if out, err := os.ReadFile(filepath.Join(dir, args[1])); err != nil || !bytes.Equal(out, src) {
				t.Errorf("sievec %s: output file %q (%v), want the script", c.args, out, err)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d sievec cases in the fixture", n)
	}
}

// TestSievedMatchesCyrus runs sieved on what our sievec wrote for each
// script Cyrus's sieved dumped (test/compat/fixtures/sievec.txt): the
// same dump byte for byte (offsets included), the script itself for -s
// (sieved.8, DIFFERENCES: Cyrus prints a decompiled script), Cyrus's
// texts for usage errors and a missing file.
func TestSievedMatchesCyrus(t *testing.T) {
	dir, conf := sievecDir(t)
	cyrusPath := "/usr/lib/cyrus/bin/sieved"
	ours := filepath.Join(binDir, "sieved")
	n := 0
	for _, c := range readFixtureCases(t, "sievec.txt") {
		args, ok := strings.CutPrefix(c.args, cyrusPath)
		if !ok {
			if fields := strings.Fields(c.args); len(fields) == 2 && c.code == 0 {
				runIn(t, dir, "sievec", "-C", conf, fields[0], fields[1])
			}
			continue
		}
		n++
		fields := strings.Fields(args)
		switch {
		case args == " -h":
			r, _ := runIn(t, dir, "sieved", "-h")
			_, want, _ := strings.Cut(c.stderr, "\n")
			if r.code != 0 || r.stdout != strings.ReplaceAll(want, cyrusPath, ours) {
				t.Errorf("sieved -h: exit %d %q, want %q", r.code, r.stdout, want)
			}
			continue
		case args == " actions.sieve":
			// Cyrus: not bytecode. For gocyrus the source is what sievec writes.
			if r, _ := runIn(t, dir, "sieved", "actions.sieve"); r.code != 0 || !strings.Contains(r.stdout, "FILEINTO") {
				t.Errorf("sieved actions.sieve: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			continue
		case len(fields) > 0 && sievecRefused[strings.TrimSuffix(fields[len(fields)-1], ".bc")]:
			continue
		}
		r, _ := runIn(t, dir, "sieved", fields...)
		want := c.stdout
		if len(fields) == 2 && fields[0] == "-s" {
			src, _ := os.ReadFile(filepath.Join(dir, fields[1]))
			want = string(src)
		}
		if r.code != c.code || r.stdout != want || r.stderr != strings.ReplaceAll(c.stderr, cyrusPath, ours) {
			t.Errorf("sieved%s: exit %d\n%s--stderr--\n%s\nwant exit %d\n%s--stderr--\n%s", args, r.code, r.stdout, r.stderr, c.code, want, c.stderr)
		}
	}
	if n < 10 {
		t.Fatalf("only %d sieved cases in the fixture", n)
	}
}

// TestSievecSievedHostileInput: a huge file, NULs, deep nesting and bad
// UTF-8 are refused with the line of the fault, no output file is left,
// and memory stays bounded (a 1 GiB file costs no more than a small one).
func TestSievecSievedHostileInput(t *testing.T) {
	dir, conf := sievecDir(t)
	huge := filepath.Join(dir, "huge.sieve")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("keep;\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil { // sparse: NULs after line 1
		t.Fatal(err)
	}
	f.Close()
	scripts := map[string]string{
		"nul.sieve":    "keep;\x00\n",
		"deep.sieve":   strings.Repeat("if true {", 3000) + strings.Repeat("}", 3000),
		"utf8.sieve":   "require \"fileinto\";\nfileinto \"\xc3\x28\";\n",
		"allof.sieve":  "if " + strings.Repeat("allof(", 3000) + "true" + strings.Repeat(")", 3000) + " { keep; }",
		"string.sieve": "keep;\nredirect \"" + strings.Repeat("a", 100) + "\n",
	}
	for name, src := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"huge.sieve", "nul.sieve", "deep.sieve", "utf8.sieve", "allof.sieve", "string.sieve"} {
		out := filepath.Join(dir, name+".bc")
		r, rss := runIn(t, dir, "sievec", "-C", conf, name, out)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "Unable to parse script: script errors:\r\nline ") {
			t.Errorf("sievec %s: exit %d %q", name, r.code, r.stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("sievec %s left %s (%v)", name, out, err)
		}
		r2, rss2 := runIn(t, dir, "sieved", name)
		if r2.code != 1 || r2.stdout != "" || !strings.HasPrefix(r2.stderr, "Unable to parse script: script errors:\r\nline ") {
			t.Errorf("sieved %s: exit %d %q %q", name, r2.code, r2.stdout, r2.stderr)
		}
		t.Logf("%s: sievec %q, peak %d KiB; sieved peak %d KiB", name, r.stderr, rss, rss2)
		if rss > 256<<10 || rss2 > 256<<10 {
			t.Errorf("%s: peak memory sievec %d KiB, sieved %d KiB", name, rss, rss2)
		}
	}
	// A leftover of an earlier run is not half-replaced: the output is
	// renamed into place only once the script compiled.
	old := filepath.Join(dir, "keep.bc")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, _ := runIn(t, dir, "sievec", "-C", conf, "nul.sieve", old); r.code != 1 {
		t.Errorf("sievec nul.sieve: exit %d", r.code)
	}
	if data, _ := os.ReadFile(old); string(data) != "old" {
		t.Errorf("a refused script changed the output file: %q", data)
	}
	// A Cyrus .bc file is named as such.
	bc := filepath.Join(dir, "cyrus.bc")
	if err := os.WriteFile(bc, []byte("CyrSBytecode\x00\x00\x00\x1f"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, _ := runIn(t, dir, "sieved", "cyrus.bc"); r.code != 1 || !strings.Contains(r.stderr, "Cyrus bytecode") {
		t.Errorf("sieved cyrus.bc: exit %d %q", r.code, r.stderr)
	}
}
