package cyrusdb

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Open returns the databases of configdir: online through the db service
// when <configdir>/socket/db answers, else offline on badger in
// <configdir>/db (holding its lock). If another process holds the lock
// and no service answers, Open fails saying so.
func Open(configdir string, opts Options) (DB, error) {
	sockPath, dbDir := SocketPath(configdir), DBPath(configdir)
	if cn, err := dial(sockPath, opts.dialTimeout(), nil); err == nil {
		return newClient(sockPath, cn, opts), nil
	}
	// The service may be starting: it takes the lock before it listens.
	// Give it a moment before declaring the databases unusable.
	deadline := time.Now().Add(opts.dialTimeout())
	for {
		err := lockFree(dbDir, opts.ReadOnly)
		if err == nil {
			return openOffline(dbDir, opts)
		}
		if !errors.Is(err, errLocked) {
			return nil, err
		}
		if cn, err := dial(sockPath, opts.dialTimeout(), nil); err == nil {
			return newClient(sockPath, cn, opts), nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("cyrusdb: databases in %s are locked by another process and no db service answers on %s", dbDir, sockPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func openOffline(dbDir string, opts Options) (DB, error) {
	if !opts.ReadOnly {
		if err := os.MkdirAll(dbDir, 0o700); err != nil {
			return nil, fmt.Errorf("cyrusdb: %w", err)
		}
	} else if _, err := os.Stat(dbDir); err != nil {
		return nil, fmt.Errorf("cyrusdb: read-only open: %w", err)
	}
	return openLocal(dbDir, opts)
}
