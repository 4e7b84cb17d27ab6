package sievescripts

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveUserTakesActiveScriptAndStrayFiles(t *testing.T) {
	s := newTestStore(t, -1, 0)
	d, err := s.UserDir("bob")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"main", "other"} {
		if err := d.Put(n, []byte("keep;\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SetActive("main"); err != nil {
		t.Fatal(err)
	}
	// A Cyrus directory also holds compiled bytecode.
	if err := os.WriteFile(filepath.Join(d.Path(), "main.bc"), []byte("bc"), 0o640); err != nil {
		t.Fatal(err)
	}
	alice, _ := s.UserDir("alice")
	if err := alice.Put("a", []byte("keep;\n")); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run finds nothing and succeeds: re-runs finish
		if err := s.RemoveUser("bob"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Lstat(d.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("bob's directory is still there: %v", err)
	}
	if _, _, err := s.Active("bob"); !errors.Is(err, ErrNoActive) {
		t.Fatalf("bob still has an active script: %v", err)
	}
	if got, _ := alice.List(); len(got) != 1 {
		t.Fatalf("alice's scripts were touched: %v", got)
	}
	// A bob created again starts empty and can store scripts.
	if err := d.Put("new", []byte("keep;\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.List(); len(got) != 1 || got[0].Name != "new" || got[0].Active {
		t.Fatalf("new bob's scripts: %v", got)
	}
}

func TestRemoveUserUnderHomeDirAndBadUser(t *testing.T) {
	if err := New(Options{Dir: t.TempDir(), UseHomeDir: true}).RemoveUser("bob"); err != nil {
		t.Fatalf("sieveusehomedir: %v", err)
	}
	if err := newTestStore(t, -1, 0).RemoveUser("../x"); err == nil {
		t.Fatal("a userid naming another directory was accepted")
	}
}
