// Command cyr_dbtool shows and changes the records of one of Cyrus's
// databases, named by its Cyrus file name (mailboxes.db, annotations.db,
// the quota directory, <user>.seen, <user>.sub, deliver.db), in Cyrus 3.6's own
// key<TAB>value form, so scripts that parse or write Cyrus's form keep
// working. gocyrus keeps every database in its one store (pkg/cyrusdb):
// each file name selects a view that renders the matching gocyrus records
// as Cyrus stores them (views.go), and set and delete read a record in
// Cyrus's form with the one reader of that form (pkg/cyrusindex) and write
// it through the package that owns it, checked as that package checks its
// own writes (writes.go); a value refused writes nothing. repack and
// damage are refused (man cyr_dbtool, DIFFERENCES). It works online
// (through master's db service) and offline, like every tool
// (tool.Env.OpenDB).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
)

// usage is Cyrus 3.6.1's text, printed on stderr for -h and for missing
// arguments (exit 255, Cyrus's exit(-1)).
const usage = `Usage: %s [-C altconfig] <db file> <db backend> <action> [<key>] [<value>]
Usable Backends: flat, skiplist, quotalegacy, sql, twoskip

Actions:
* show [<prefix>]
* get <key>
* set <key> <value>
* delete <key>
* dump - internal format dump
* consistent - check consistency
* repack - repack/checkpoint the DB (if supported)
* damage - start a commit then die during
* batch - read from stdin and execute commands
You may omit key or key/value and specify one per line on stdin
keys are terminated by tab or newline, values are terminated by newline
`

const exitUsage = 255

// backends are the names Cyrus 3.6.1 accepts; any is taken for any file,
// since gocyrus has one store.
var backends = map[string]bool{"flat": true, "skiplist": true, "quotalegacy": true, "sql": true, "twoskip": true}

func main() {
	cmd := &cli.Command{
		Name:      "cyr_dbtool",
		Usage:     "show and change the records of a Cyrus database in Cyrus's key<TAB>value form",
		UsageText: "cyr_dbtool [-C altconfig] <db file> <db backend> <action> [<key>] [<value>]",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "N", Usage: "accepted for Cyrus's sake (no transaction to skip)"},
			&cli.BoolFlag{Name: "n", Usage: "accepted for Cyrus's sake (never creates a database)"},
			&cli.BoolFlag{Name: "T", Usage: "accepted for Cyrus's sake (one read transaction anyway)"},
			&cli.StringSliceFlag{Name: "o", Usage: "accepted for Cyrus's sake (`option=value`, ignored)"},
		},
		HideHelp: true,
		Reader:   os.Stdin,
		Action:   run,
	}
	if askedHelp(os.Args[1:]) {
		fmt.Fprintf(os.Stderr, "%s: invalid option -- 'h'\n"+usage, os.Args[0], os.Args[0])
		os.Exit(exitUsage)
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

// askedHelp reports -h among the options (before "--"): Cyrus's getopt
// refuses it with the usage, and so do we, rather than urfave's help.
func askedHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" {
			return true
		}
	}
	return false
}

func run(ctx context.Context, cmd *cli.Command) error {
	args := cmd.Args().Slice()
	if len(args) < 3 {
		stderr := cmd.ErrWriter
		if stderr == nil {
			stderr = os.Stderr
		}
		fmt.Fprintf(stderr, usage, os.Args[0])
		return tool.Fail(exitUsage, "give a database file, a backend and an action")
	}
	file, backend, action := args[0], args[1], args[2]
	if !backends[backend] {
		return tool.Fail(tool.ExitConfig, "fatal error: cyrusdb backend %s not supported", backend)
	}
	env, st, err := tool.SetupStore(cmd, "cyr_dbtool")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	v, err := viewOf(file, st)
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "fatal error: can't open database: %v", err)
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	if action == "batch" {
		return batch(ctx, v, env.Stdin, out)
	}
	if err := do(ctx, v, action, args[3:], env.Stdin, out); err != nil {
		return err
	}
	return out.Flush()
}

// do runs one action. A get, set or delete without its key (or, for
// set, key and value) reads "key<TAB>value" lines from stdin, as Cyrus
// does.
func do(ctx context.Context, v *view, action string, rest []string, stdin io.Reader, out *bufio.Writer) error {
	switch action {
	case "show", "dump":
		prefix := ""
		if len(rest) > 0 {
			prefix = rest[0]
		}
		return show(ctx, v, []byte(prefix), out)
	case "get":
		if len(rest) > 0 {
			return getOne(ctx, v, []byte(rest[0]), out)
		}
		return eachLine(stdin, func(key, _ []byte) error { return getOne(ctx, v, key, out) })
	case "set":
		switch len(rest) {
		case 0:
			return eachLine(stdin, func(key, val []byte) error { return written(action, v.set(ctx, key, val)) })
		case 1:
			// Cyrus 3.6.1 dies of a segmentation fault here.
			return tool.Fail(tool.ExitUsage, "set: no value given for %q", rest[0])
		}
		return written(action, v.set(ctx, []byte(rest[0]), []byte(rest[1])))
	case "delete":
		if len(rest) == 0 {
			return eachLine(stdin, func(key, _ []byte) error { return written(action, v.del(ctx, key)) })
		}
		return written(action, v.del(ctx, []byte(rest[0])))
	case "consistent":
		if err := v.consistent(ctx); err != nil {
			out.WriteString("No, not consistent\n")
			out.Flush()
			return tool.Fail(tool.ExitDataErr, "%v", err)
		}
		_, err := out.WriteString("Yes, consistent\n")
		return err
	case "repack":
		return tool.Fail(tool.ExitUsage, "repack: refused: gocyrus's store compacts itself, and ctl_cyrusdb -c "+
			"checkpoints it (see cyr_dbtool(8), DIFFERENCES)")
	case "damage":
		return tool.Fail(tool.ExitUsage, "damage: refused: a test of Cyrus's own database files (see cyr_dbtool(8), DIFFERENCES)")
	}
	_, err := fmt.Fprintf(out, "Unknown action %s\n", action)
	return err
}

// written reports a set or delete: a refusal (nothing written) with the
// reason, exit 65.
func written(action string, err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return tool.Fail(tool.ExitDataErr, "%s: refused, nothing written: %s", action, r.msg)
	}
	return err
}

// maxLine bounds a line of standard input: a key and a value the readers
// would refuse as too big get that clear refusal rather than a cut.
const maxLine = 4 << 20

// eachLine calls fn with the key and value of each "key<TAB>value" line.
func eachLine(stdin io.Reader, fn func(key, val []byte) error) error {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		key, val, _ := bytes.Cut(sc.Bytes(), []byte{'\t'})
		if err := fn(key, val); err != nil {
			return err
		}
	}
	return lineError(sc.Err())
}

func lineError(err error) error {
	if errors.Is(err, bufio.ErrTooLong) {
		return tool.Fail(tool.ExitDataErr, "a line of standard input is longer than %d bytes", maxLine)
	}
	return err
}

// getOne prints the value of key, or nothing, and a newline, as Cyrus.
func getOne(ctx context.Context, v *view, key []byte, out *bufio.Writer) error {
	val, err := get(ctx, v, key)
	if err != nil {
		return err
	}
	out.Write(val)
	return out.WriteByte('\n')
}

// batch reads "action<TAB>key" lines (Cyrus's batch form) from stdin and
// runs each, stopping at the first failure with Cyrus's message.
func batch(ctx context.Context, v *view, stdin io.Reader, out *bufio.Writer) error {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for n := 1; sc.Scan(); n++ {
		fields := strings.SplitN(sc.Text(), "\t", 3)
		if fields[0] == "" {
			continue
		}
		if fields[0] == "batch" {
			return tool.Fail(tool.ExitDataErr, "FAILED: line %d at cmd batch: batch does not nest", n)
		}
		if err := do(ctx, v, fields[0], fields[1:], strings.NewReader(""), out); err != nil {
			return fmt.Errorf("FAILED: line %d at cmd %s with error %w", n, fields[0], err)
		}
	}
	return lineError(sc.Err())
}

// show writes every record whose key starts with prefix, in key order.
func show(ctx context.Context, v *view, prefix []byte, out *bufio.Writer) error {
	return v.records(ctx, func(k, val []byte) error {
		if !bytes.HasPrefix(k, prefix) {
			return nil
		}
		out.Write(k)
		out.WriteByte('\t')
		out.Write(val)
		return out.WriteByte('\n')
	})
}

// get returns the value of key, or nil when there is none.
func get(ctx context.Context, v *view, key []byte) ([]byte, error) {
	var val []byte
	err := v.records(ctx, func(k, x []byte) error {
		if bytes.Equal(k, key) {
			val = append([]byte(nil), x...)
		}
		return nil
	})
	return val, err
}
