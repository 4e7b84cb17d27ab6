package sievescripts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

func newTestStore(t *testing.T, maxScripts, maxSize int) *Store {
	t.Helper()
	return New(Options{Dir: t.TempDir(), MaxScripts: maxScripts, MaxSize: maxSize})
}

func TestLayout(t *testing.T) {
	s := New(Options{Dir: "/sieve"})
	full := New(Options{Dir: "/sieve", FullDirHash: true})
	tests := []struct {
		store *Store
		user  string
		want  string
	}{
		{s, "alice", "/sieve/a/alice"},
		{s, "Bob", "/sieve/b/Bob"},
		{s, "9lives", "/sieve/q/9lives"},
		{s, "john.doe", "/sieve/j/john.doe"},
		{s, "alice@example.org", "/sieve/domain/e/example.org/a/alice"},
		{full, "alice", "/sieve/" + string(hashFull("alice")) + "/alice"},
	}
	for _, tt := range tests {
		d, err := tt.store.UserDir(tt.user)
		if err != nil {
			t.Fatalf("UserDir(%q): %v", tt.user, err)
		}
		if d.Path() != tt.want {
			t.Errorf("UserDir(%q) = %s, want %s", tt.user, d.Path(), tt.want)
		}
	}
	g, _ := s.GlobalDir("")
	gd, _ := s.GlobalDir("example.org")
	if g.Path() != "/sieve/global" || gd.Path() != "/sieve/domain/e/example.org/global" {
		t.Errorf("global dirs %s %s", g.Path(), gd.Path())
	}
	for _, bad := range []string{"", "a/b", "..", ".x", "a@", "x@.."} {
		if _, err := s.UserDir(bad); !errors.Is(err, ErrInvalidUser) {
			t.Errorf("UserDir(%q) = %v, want ErrInvalidUser", bad, err)
		}
	}
}

func hashFull(name string) byte {
	var n uint32
	for i := 0; i < len(name); i++ {
		n = ((n << 3) ^ (n >> 5)) ^ uint32(name[i])
	}
	return 'A' + byte(n%23)
}

func TestPutGetListActivate(t *testing.T) {
	s := newTestStore(t, 5, 1024)
	d, err := s.UserDir("alice")
	if err != nil {
		t.Fatal(err)
	}
	if l, err := d.List(); err != nil || len(l) != 0 {
		t.Fatalf("empty List = %v, %v", l, err)
	}
	if _, _, err := s.Active("alice"); !errors.Is(err, ErrNoActive) {
		t.Fatalf("Active before any script = %v", err)
	}
	src := []byte("keep;\r\n")
	must(t, d.Put("one", src))
	must(t, d.Put("two", []byte("discard;")))
	got, err := d.Get("one")
	if err != nil || string(got) != string(src) {
		t.Fatalf("Get = %q, %v", got, err)
	}
	must(t, d.SetActive("one"))
	if target, _ := os.Readlink(filepath.Join(d.Path(), "defaultbc")); target != "one.bc" {
		t.Errorf("defaultbc -> %q, want one.bc", target)
	}
	list, err := d.List()
	want := []Script{{"one", true, int64(len(src))}, {"two", false, 8}}
	if err != nil || fmt.Sprint(list) != fmt.Sprint(want) {
		t.Fatalf("List = %v, %v; want %v", list, err, want)
	}
	name, active, err := s.Active("alice")
	if err != nil || name != "one" || string(active) != string(src) {
		t.Fatalf("Active = %q %q %v", name, active, err)
	}
	// Replacing the active script keeps it active.
	must(t, d.Put("one", []byte("stop;")))
	if _, active, _ := s.Active("alice"); string(active) != "stop;" {
		t.Errorf("after replace Active = %q", active)
	}
	if err := d.Delete("one"); !errors.Is(err, ErrActive) {
		t.Errorf("Delete(active) = %v", err)
	}
	if err := d.Delete("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete(missing) = %v", err)
	}
	if err := d.SetActive("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetActive(missing) = %v", err)
	}
	if _, err := d.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v", err)
	}
	must(t, d.SetActive(""))
	must(t, d.SetActive("")) // idempotent
	if _, _, err := d.Active(); !errors.Is(err, ErrNoActive) {
		t.Errorf("Active after deactivate = %v", err)
	}
	must(t, d.Delete("one"))
	if ok, _ := d.Exists("one"); ok {
		t.Error("deleted script still exists")
	}
}

func TestRename(t *testing.T) {
	s := newTestStore(t, 5, 0)
	d, _ := s.UserDir("bob")
	must(t, d.Put("a", []byte("keep;")))
	must(t, d.Put("b", []byte("discard;")))
	must(t, d.SetActive("a"))
	if err := d.Rename("a", "b"); !errors.Is(err, ErrExists) {
		t.Errorf("Rename onto existing = %v", err)
	}
	if err := d.Rename("zz", "c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Rename missing = %v", err)
	}
	if err := d.Rename("a", "x/y"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Rename to invalid = %v", err)
	}
	must(t, d.Rename("a", "a"))
	must(t, d.Rename("a", "c"))
	if name, src, err := d.Active(); name != "c" || string(src) != "keep;" || err != nil {
		t.Errorf("after renaming the active script Active = %q %q %v", name, src, err)
	}
	must(t, d.Rename("b", "d"))
	list, _ := d.List()
	if fmt.Sprint(list) != fmt.Sprint([]Script{{"c", true, 5}, {"d", false, 8}}) {
		t.Errorf("List = %v", list)
	}
}

func TestLimits(t *testing.T) {
	s := newTestStore(t, 2, 10)
	d, _ := s.UserDir("carol")
	if err := d.Put("big", make([]byte, 11)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Put over MaxSize = %v", err)
	}
	if err := d.CheckSpace("big", 11); !errors.Is(err, ErrTooLarge) {
		t.Errorf("CheckSpace over MaxSize = %v", err)
	}
	must(t, d.Put("a", []byte("keep;")))
	must(t, d.Put("b", []byte("keep;")))
	if err := d.Put("c", []byte("keep;")); !errors.Is(err, ErrTooManyScripts) {
		t.Errorf("third Put = %v", err)
	}
	if err := d.CheckSpace("c", 1); !errors.Is(err, ErrTooManyScripts) {
		t.Errorf("CheckSpace third = %v", err)
	}
	must(t, d.CheckSpace("b", 10))
	must(t, d.Put("b", []byte("discard;"))) // replacing is not a new script
	if err := d.Put("", nil); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Put empty name = %v", err)
	}
}

func TestCyrusDirectoryIsRead(t *testing.T) {
	s := newTestStore(t, 5, 0)
	d, _ := s.UserDir("dave")
	must(t, os.MkdirAll(d.Path(), 0o750))
	must(t, os.WriteFile(filepath.Join(d.Path(), "old.script"), []byte("keep;"), 0o600))
	must(t, os.WriteFile(filepath.Join(d.Path(), "old.bc"), []byte("\x00bytecode"), 0o600))
	must(t, os.Symlink("old.bc", filepath.Join(d.Path(), "defaultbc")))
	name, src, err := s.Active("dave")
	if err != nil || name != "old" || string(src) != "keep;" {
		t.Fatalf("Active = %q %q %v", name, src, err)
	}
	must(t, d.Put("old", []byte("discard;")))
	if _, err := os.Stat(filepath.Join(d.Path(), "old.bc")); !os.IsNotExist(err) {
		t.Errorf("stale old.bc kept: %v", err)
	}
	// A dangling link (script removed behind our back) is no active script.
	must(t, os.Remove(filepath.Join(d.Path(), "old.script")))
	if _, _, err := s.Active("dave"); !errors.Is(err, ErrNoActive) {
		t.Errorf("Active with dangling defaultbc = %v", err)
	}
}

func TestHomeDir(t *testing.T) {
	home := t.TempDir()
	s := New(Options{Dir: t.TempDir(), UseHomeDir: true, HomeDir: func(u string) (string, error) {
		if u != "erin" {
			return "", errors.New("no such user")
		}
		return home, nil
	}})
	if _, err := s.UserDir("erin"); !errors.Is(err, ErrHomeDir) {
		t.Errorf("UserDir with sieveusehomedir = %v", err)
	}
	if _, _, err := s.Active("erin"); !errors.Is(err, ErrNoActive) {
		t.Errorf("Active without ~/.sieve = %v", err)
	}
	must(t, os.WriteFile(filepath.Join(home, ".sieve"), []byte("keep;"), 0o600))
	must(t, os.WriteFile(filepath.Join(home, "inc.script"), []byte("stop;"), 0o600))
	if name, src, err := s.Active("erin"); name != ".sieve" || string(src) != "keep;" || err != nil {
		t.Errorf("Active = %q %q %v", name, src, err)
	}
	if src, err := s.Include("erin")("inc", false); string(src) != "stop;" || err != nil {
		t.Errorf("Include personal = %q %v", src, err)
	}
	if _, _, err := s.Active("frank"); err == nil {
		t.Error("Active of an unknown user succeeded")
	}
}

func TestIncludeGlobal(t *testing.T) {
	s := newTestStore(t, 5, 0)
	g, _ := s.GlobalDir("")
	gd, _ := s.GlobalDir("example.org")
	must(t, g.Put("spam", []byte("discard;")))
	must(t, gd.Put("spam", []byte("keep;")))
	u, _ := s.UserDir("alice")
	must(t, u.Put("mine", []byte("stop;")))
	inc := s.Include("alice")
	if src, err := inc("spam", true); string(src) != "discard;" || err != nil {
		t.Errorf("global include = %q %v", src, err)
	}
	if src, err := s.Include("bob@example.org")("spam", true); string(src) != "keep;" || err != nil {
		t.Errorf("domain global include = %q %v", src, err)
	}
	if src, err := inc("mine", false); string(src) != "stop;" || err != nil {
		t.Errorf("personal include = %q %v", src, err)
	}
	if _, err := inc("none", false); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing include = %v", err)
	}
}

func TestConcurrentPutsRespectTheLimit(t *testing.T) {
	s := newTestStore(t, 3, 0)
	d, _ := s.UserDir("grace")
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	for i := range 10 {
		wg.Go(func() {
			if err := d.Put("s"+strconv.Itoa(i), []byte("keep;")); err == nil {
				mu.Lock()
				stored++
				mu.Unlock()
			} else if !errors.Is(err, ErrTooManyScripts) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if list, _ := d.List(); stored != 3 || len(list) != 3 {
		t.Errorf("stored %d, listed %d; want 3", stored, len(list))
	}
}

// childEnv selects the child role of TestCrossProcessLimit.
const childEnv = "SIEVESCRIPTS_TEST_CHILD"

func TestCrossProcessLimit(t *testing.T) {
	if dir := os.Getenv(childEnv); dir != "" {
		s := New(Options{Dir: dir, MaxScripts: 4})
		d, _ := s.UserDir("heidi")
		for i := range 4 {
			err := d.Put(fmt.Sprintf("p%d-%d", os.Getpid(), i), []byte("keep;"))
			if err != nil && !errors.Is(err, ErrTooManyScripts) {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		return
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	for range 4 {
		c := exec.Command(os.Args[0], "-test.run=^TestCrossProcessLimit$")
		c.Env = append(os.Environ(), childEnv+"="+dir)
		c.Stderr = os.Stderr
		must(t, c.Start())
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		must(t, c.Wait())
	}
	d, _ := New(Options{Dir: dir}).UserDir("heidi")
	if list, _ := d.List(); len(list) != 4 {
		t.Errorf("%d scripts stored by 4 processes, want exactly the limit 4: %v", len(list), list)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestNotFoundMatchesErrNotExist(t *testing.T) {
	s := newTestStore(t, 5, 0)
	_, err := s.Include("alice")("missing", false)
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing include = %v; want ErrNotFound and fs.ErrNotExist", err)
	}
}
