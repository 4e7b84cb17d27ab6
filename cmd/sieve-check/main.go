// Command sieve-check compiles Sieve scripts the way timsieved does at
// upload and prints each error as FILE:LINE:COLUMN: message. It exits 1
// when a script does not compile, 2 on usage or configuration errors. See
// sieve-check(8).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"gocyrus/internal/getopt"
	"gocyrus/pkg/config"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("sieve-check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	confPath := fl.String("C", "", "imapd.conf `path`: apply sieve_extensions and sieve_maxscriptsize, find global scripts")
	user := fl.String("u", "", "resolve includes from `userid`'s scripts in sievedir (needs -C)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: sieve-check [-C imapd.conf] [-u userid] FILE...")
		fl.PrintDefaults()
	}
	if err := fl.Parse(getopt.FlagArgs(fl, args)); err != nil {
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	var store *sievescripts.Store
	opts := sieve.Options{}
	if *confPath != "" {
		cfg, err := config.LoadImapd(*confPath)
		if err != nil {
			fmt.Fprintln(stderr, "sieve-check:", err)
			return 2
		}
		cfg = cfg.ForService("sieve")
		store = sievescripts.FromConfig(cfg)
		if exts := cfg.SieveExtensions(); len(exts) > 0 {
			opts.Extensions = exts
		}
		opts.MaxSize = max(store.Options().MaxSize, 0)
	} else if *user != "" {
		fmt.Fprintln(stderr, "sieve-check: -u needs -C")
		return 2
	}
	status := 0
	for _, file := range fl.Args() {
		src, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(stderr, "sieve-check:", err)
			status = max(status, 2)
			continue
		}
		opts.Include = includer(file, store, *user)
		_, err = sieve.Compile(src, opts)
		var se *sieve.Error
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "%s: OK\n", file)
		case errors.As(err, &se):
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", file, se.Line, se.Column, se.Msg)
			status = max(status, 1)
		default:
			fmt.Fprintf(stdout, "%s: %v\n", file, err)
			status = max(status, 1)
		}
	}
	return status
}

// includer resolves include: from userid's scripts when given, else
// personal scripts as "<name>.script" next to file and global ones from
// sievedir's global directory.
func includer(file string, store *sievescripts.Store, userid string) func(string, bool) ([]byte, error) {
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
