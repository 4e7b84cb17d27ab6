package cyrusdb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// startServer runs a db service on a fresh configdir until the test ends.
func startServer(t testing.TB, configdir string) *Server {
	t.Helper()
	srv, err := OpenServer(configdir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server close: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv
}

type backend struct {
	name   string
	online bool
	open   func(t testing.TB) DB
}

// backends are the ways to reach the databases; every behaviour test runs
// against each of them.
var backends = []backend{
	{"offline", false, func(t testing.TB) DB {
		db, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
	{"online", true, func(t testing.TB) DB {
		dir := t.TempDir()
		startServer(t, dir)
		db, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
	{"in-server", true, func(t testing.TB) DB { return startServer(t, t.TempDir()).DB() }},
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func put(t testing.TB, db DB, kv ...string) {
	t.Helper()
	var ops []Op
	for i := 0; i+1 < len(kv); i += 2 {
		ops = append(ops, Put{Key: []byte(kv[i]), Val: []byte(kv[i+1])})
	}
	if err := db.Txn(testCtx(t), nil, ops); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t testing.TB, db DB, key string) (string, uint64) {
	t.Helper()
	v, ver, err := db.Get(testCtx(t), []byte(key))
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	return string(v), ver
}

func absent(t testing.TB, db DB, key string) {
	t.Helper()
	if _, _, err := db.Get(testCtx(t), []byte(key)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get %q: want ErrNotFound, got %v", key, err)
	}
}

func scanAll(t testing.TB, db DB, prefix string) []string {
	t.Helper()
	var out []string
	err := db.Scan(testCtx(t), []byte(prefix), func(k, v []byte, _ uint64) error {
		out = append(out, string(k)+"="+string(v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hangTimeout bounds a wait for something that should happen at once: long
// enough that on a loaded machine (or under -race) only a hang reaches it.
const hangTimeout = 2 * time.Minute
