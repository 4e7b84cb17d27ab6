package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/cyrusindex"
	"gocyrus/pkg/sasldb"
)

// copyTree copies src to dst, symlinks as links.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o750)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o600)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 16 item 3: a real Cyrus 3.6.1 tree (test/compat/cyrus-tree, made
// by scripts/cyrus-import) imported by cyr_import, twice, answers every
// user exactly as Cyrus did before it was stopped: LIST, LSUB, STATUS
// (UIDVALIDITY UIDNEXT MESSAGES UNSEEN HIGHESTMODSEQ), UID FETCH (FLAGS
// INTERNALDATE RFC822.SIZE BODY.PEEK[]), GETACL, GETQUOTAROOT,
// GETMETADATA and the Sieve script list.
func TestCyrImportAnswersAsCyrusDid(t *testing.T) {
	importAndCompare(t, "cyrus-tree", nil)
}

// Issue 16 item 3, the legacy layout: a real Cyrus 3.6.1 tree with
// mailbox_legacy_dirs, hashimapspool and fulldirhash (mailboxes under
// spool/<hash>/user/alice/..., seen and subscriptions in
// conf/user/<hash>/alice.seen and .sub, Sieve scripts in
// sieve/<hash>/alice; test/compat/cyrus-tree-hashed, made by
// scripts/cyrus-import/hashed.sh) imports to the answers Cyrus gave.
func TestCyrImportHashedLegacyLayoutAnswersAsCyrusDid(t *testing.T) {
	importAndCompare(t, "cyrus-tree-hashed", func(src string) {
		if _, err := os.Stat(filepath.Join(src, "spool", "L", "user", "alice", "cyrus.header")); err != nil {
			t.Fatalf("not the hashed legacy layout: %v", err)
		}
	})
}

// Issue 16 item 3, older sites: the same tree with its databases as
// skiplist files (mailboxes.db, annotations.db, seen.db, and quotas.db in
// place of the quotalegacy files) and every cyrus.index in version 12
// (Cyrus 2.4's), all written by the real Cyrus 3.6.1's cvt_cyrusdb and
// reconstruct -V (test/compat/cyrus24, scripts/cyrus-import/older.sh),
// imports to the same answers; no flag names the formats.
func TestCyrImportOlderFormatsAnswersAsCyrusDid(t *testing.T) {
	importAndCompare(t, "cyrus-tree", func(src string) {
		copyTree(t, filepath.Join("compat", "cyrus24"), src)
		if err := os.RemoveAll(filepath.Join(src, "conf", "quota")); err != nil {
			t.Fatal(err)
		}
		n := 0
		filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Name() == "cyrus.index" {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) > 12 && b[11] != 12 && !strings.Contains(p, "ign3l5wfhvg6nvib6j6kt6n0") {
					t.Fatalf("%s: version %d, not 12", p, b[11])
				}
				n++
			}
			return nil
		})
		if n < 10 {
			t.Fatalf("%d indexes", n)
		}
	})
}

// Issue 16 Done-when, "a second Cyrus tree from a 2.4-format index": the
// hashed legacy tree made Cyrus 2.4-like — mailboxes.db in 2.4's entry
// form ("<name>" -> "0 <partition> <ACL>", no uniqueid, no UIDVALIDITY)
// as a skiplist, seen databases as skiplists, every cyrus.index in
// version 12 (all written by the real Cyrus 3.6.1's cyr_dbtool,
// cvt_cyrusdb and reconstruct -V: test/compat/cyrus24-hashed, made by
// scripts/cyrus-import/hashed24.sh) and every cyrus.header rewritten here
// in the older four-line form — imports to the answers Cyrus gave.
func TestCyrImportCyrus24TreeAnswersAsCyrusDid(t *testing.T) {
	importAndCompare(t, "cyrus-tree-hashed", func(src string) {
		copyTree(t, filepath.Join("compat", "cyrus24-hashed"), src)
		n := 0
		err := filepath.WalkDir(filepath.Join(src, "spool"), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Name() != "cyrus.header" {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h, err := cyrusindex.ParseHeader(data)
			if err != nil {
				return err
			}
			lines := strings.SplitN(string(data), "\n", 4) // magic and the two quote lines
			var b strings.Builder
			b.WriteString(strings.Join(lines[:3], "\n") + "\n")
			b.WriteString(h.QuotaRoot + "\t" + h.UniqueID + "\n")
			for _, f := range h.UserFlags {
				b.WriteString(f + " ")
			}
			b.WriteString("\n")
			for _, a := range h.ACL {
				b.WriteString(a[0] + "\t" + a[1] + "\t")
			}
			b.WriteString("\n")
			n++
			return os.WriteFile(p, []byte(b.String()), 0o600)
		})
		if err != nil || n < 10 {
			t.Fatalf("%d headers rewritten: %v", n, err)
		}
	})
}

// importAndCompare imports a copy of the fixture tree test/compat/<tree>
// (changed by prepare, given the copy's root) twice and compares the
// answers with those Cyrus gave (its expected.json).
func importAndCompare(t *testing.T, tree string, prepare func(src string)) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is needed to capture the answers")
	}
	// The namespace of the Cyrus tree's imapd.conf.
	s := newSite(t, "sievedir: "+filepath.Join(t.TempDir(), "sieve"), "allowplaintext: yes",
		"altnamespace: no", "unixhierarchysep: no")
	src := filepath.Join(t.TempDir(), "cyrus")
	copyTree(t, filepath.Join("compat", tree), src)
	if prepare != nil {
		prepare(src)
	}
	conf := filepath.Join(src, "imapd.conf")
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(string(b), "@ROOT@", src)), 0o600); err != nil {
		t.Fatal(err)
	}
	var first string
	for run := range 2 {
		out := s.must("", "cyr_import", conf)
		t.Logf("run %d: %s", run, out)
		if run == 0 {
			first = out
		} else if out != first {
			t.Errorf("rerun said %q, first run %q", out, first)
		}
	}

	srv, err := cyrusdb.OpenServer(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	db, err := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob", "cyrus"} {
		if err := sasldb.New(db).SetPassword(context.Background(), u, "x", true); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	imapAddr := startDaemon(t, s, "imapd")
	sieveAddr := startDaemon(t, s, "timsieved")
	_, imapPort, _ := net.SplitHostPort(imapAddr)
	_, sievePort, _ := net.SplitHostPort(sieveAddr)
	cmd := exec.Command("python3", filepath.Join("..", "scripts", "cyrus-import", "capture.py"), imapPort, sievePort, "alice", "bob", "cyrus")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	gotJSON, err := cmd.Output()
	if err != nil {
		t.Fatalf("capture.py: %v\n%s", err, stderr.String())
	}
	wantJSON, err := os.ReadFile(filepath.Join("compat", tree, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(gotJSON, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		t.Fatal(err)
	}
	for _, d := range jsonDiff("", withoutSieveMailboxes(want), withoutSieveMailboxes(got)) {
		t.Error(d)
	}
}

// withoutSieveMailboxes removes what differs on purpose (cyr_import.8,
// DIFFERENCES): Cyrus 3.6 keeps Sieve scripts as messages of a
// "user.X.#sieve" mailbox, which admins LIST and the user's quota counts;
// gocyrus keeps them in the sievedir (the script list is compared), so
// those mailboxes are not imported and quota usage is the imported
// mailboxes' (the limits are compared exactly).
func withoutSieveMailboxes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if strings.HasSuffix(k, ".#sieve") {
				continue
			}
			out[k] = withoutSieveMailboxes(e)
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			if s, ok := e.(string); ok && strings.HasSuffix(s, ".#sieve") {
				continue
			}
			out = append(out, withoutSieveMailboxes(e))
		}
		return out
	case string:
		return quotaUsage.ReplaceAllString(x, "$1 * $2")
	}
	return v
}

// quotaUsage matches a QUOTA response's usage and limit of one resource.
var quotaUsage = regexp.MustCompile(`\b(STORAGE|MESSAGE) \d+ (\d+)`)

// jsonDiff lists where got differs from want, by path.
func jsonDiff(path string, want, got any) []string {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range gm {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, jsonDiff(path+"/"+k, wm[k], gm[k])...)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) {
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(got)
		return []string{fmt.Sprintf("%s: Cyrus %s, gocyrus %s", path, w, g)}
	}
	return nil
}

// A damaged file is reported by name and the rest is imported; the exit
// status says something was left behind.
func TestCyrImportGoesOnPastDamage(t *testing.T) {
	s := newSite(t, "sievedir: "+filepath.Join(t.TempDir(), "sieve"), "altnamespace: no", "unixhierarchysep: no")
	src := filepath.Join(t.TempDir(), "cyrus")
	copyTree(t, filepath.Join("compat", "cyrus-tree"), src)
	conf := filepath.Join(src, "imapd.conf")
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(string(b), "@ROOT@", src)), 0o600); err != nil {
		t.Fatal(err)
	}
	// user.alice.Archive's index (uniqueid 083nrp94kqzhc2cutyuzjn6m): one
	// byte of its first record changed, so its CRC fails.
	index := filepath.Join(src, "spool", "uuid", "0", "8", "083nrp94kqzhc2cutyuzjn6m", "cyrus.index")
	data, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	data[160+12] ^= 0x01
	if err := os.WriteFile(index, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.run("", "cyr_import", conf)
	if r.code != 65 {
		t.Errorf("exit %d, want 65 (EX_DATAERR)\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "not imported: mailbox user.alice.Archive: "+index+": ") {
		t.Errorf("the damaged file is not named:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "imported 8 mailboxes, 15 messages") {
		t.Errorf("the rest was not imported:\n%s", r.stdout)
	}
	st, done := s.openStore(t)
	defer done()
	if _, err := st.Lookup(context.Background(), "user.alice.Archive"); err == nil {
		t.Error("the damaged mailbox was listed")
	}
	if _, err := st.Lookup(context.Background(), "user.alice.Work"); err != nil {
		t.Errorf("an undamaged mailbox is missing: %v", err)
	}
}

// A Cyrus 2.4 annotation (keyed by mailbox name; here in a flat
// annotations.db) is listed as not read rather than dropped in silence,
// and the rest of the tree is imported.
func TestCyrImportReportsNameKeyedAnnotations(t *testing.T) {
	s := newSite(t, "sievedir: "+filepath.Join(t.TempDir(), "sieve"), "altnamespace: no", "unixhierarchysep: no")
	src := filepath.Join(t.TempDir(), "cyrus")
	copyTree(t, filepath.Join("compat", "cyrus-tree"), src)
	conf := filepath.Join(src, "imapd.conf")
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(string(b), "@ROOT@", src)), 0o600); err != nil {
		t.Fatal(err)
	}
	flat := "user.alice\xff\x80/comment\xff\x80\xff\x80\tnotes\n"
	if err := os.WriteFile(filepath.Join(src, "conf", "annotations.db"), []byte(flat), 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.run("", "cyr_import", conf)
	if r.code != 65 {
		t.Errorf("exit %d, want 65\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "annotation /comment of user.alice: keyed by mailbox name (Cyrus 2.4), not read") {
		t.Errorf("the 2.4 annotation is not reported:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "imported 9 mailboxes, 16 messages") {
		t.Errorf("the rest was not imported:\n%s", r.stdout)
	}
}
