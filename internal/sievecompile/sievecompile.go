// Package sievecompile is what the offline Sieve tools (sieve-check,
// sievec, sieved) share to compile a script file as timsieved and lmtpd
// would: the compile options an imapd.conf implies and where include:
// finds the scripts it names. The Sieve rules themselves are pkg/sieve's.
package sievecompile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gocyrus/pkg/config"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

// FromConfig returns the options cfg (already ForService("sieve") or the
// program's view) applies to uploads — sieve_extensions and
// sieve_maxscriptsize — and the script store that resolves includes.
// With a nil cfg every implemented extension is allowed and size is not
// bounded; the store is nil then.
func FromConfig(cfg *config.Config) (sieve.Options, *sievescripts.Store) {
	opts := sieve.Options{}
	if cfg == nil {
		return opts, nil
	}
	store := sievescripts.FromConfig(cfg)
	if exts := cfg.SieveExtensions(); len(exts) > 0 {
		opts.Extensions = exts
	}
	opts.MaxSize = max(store.Options().MaxSize, 0)
	return opts, store
}

// Includer resolves include: for the script file: from userid's scripts
// when both store and userid are given, else personal scripts as
// "<name>.script" next to file and global ones from sievedir's global
// directory (store needed).
func Includer(file string, store *sievescripts.Store, userid string) func(string, bool) ([]byte, error) {
	if store != nil && userid != "" {
		return store.Include(userid)
	}
	return func(name string, global bool) ([]byte, error) {
		if err := sievescripts.ValidateName(name); err != nil {
			return nil, err
		}
		if global {
			if store == nil {
				return nil, fmt.Errorf("global script %q: %w (give -C to find global scripts)", name, fs.ErrNotExist)
			}
			d, err := store.GlobalDir("")
			if err != nil {
				return nil, err
			}
			return d.Get(name)
		}
		return os.ReadFile(filepath.Join(filepath.Dir(file), name+".script"))
	}
}

// CyrusReport is a compile error as Cyrus's sievec and sieved print it:
// a heading, one "line N: reason" per error (pkg/sieve reports the first)
// with the CRLFs Cyrus's error buffer keeps, and an empty line.
func CyrusReport(err error) string {
	var se *sieve.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("Unable to parse script: script errors:\r\nline %d: %s\r\n\n", se.Line, se.Msg)
	}
	return fmt.Sprintf("Unable to parse script: %v\n", err)
}
