package cyrusdb

import (
	"bytes"
	"os"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// restoreBackup loads a backup into a fresh badger and lists it.
func restoreBackup(t testing.TB, data []byte) []string {
	t.Helper()
	bdb, err := badger.Open(badgerOptions(t.TempDir(), false, Options{}.logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Load(bytes.NewReader(data), 16); err != nil {
		t.Fatal(err)
	}
	l := &local{bdb: bdb, hub: newHub(), log: Options{}.logger()}
	return scanAll(t, l, "")
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
