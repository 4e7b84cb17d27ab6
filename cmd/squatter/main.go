// Command squatter builds each mailbox's full-text index (pkg/squat's
// cyrus.gosquat, beside cyrus.index) so imapd's SEARCH BODY and TEXT need
// not read every message file: -r takes each named mailbox's children too,
// -i adds only the messages appended since the last run, -a indexes only
// mailboxes whose /vendor/cmu/cyrus-imapd/squat annotation is "true", -s
// skips mailboxes unchanged since their index was written. The index is a
// hint: imapd verifies every candidate, so results never depend on it.
// squatter.8 lists how it differs from Cyrus's.
package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/imapserver/search"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/squat"
	"gocyrus/pkg/store"
)

// usage is Cyrus 3.6's, what -h prints; squatter.8 says which of its
// modes and options gocyrus has.
const usage = `usage: squatter [mode] [options] [source]

Mode flags: 
  none                         index [source] (default)
  -a, --squat-annot            index [source] using /squat annotations
  -r, --recursive              index [source] recursively
  -f, --synclog=FILE           index from synclog file
  -R, --rolling                start rolling indexer
  -z, --compact=TIER           compact to TIER
  -l, --list                   list paths
  -A, --audit                  report unindexed messages

Index mode options:
  -i, --incremental            index incrementally
  -p, --allow-partials         allow partially indexed messages
  -P, --reindex-partials       reindex partially indexed messages (implies -Z)
  -L, --reindex-minlevel=LEVEL reindex messages where indexlevel < LEVEL (implies -Z)
  -N, --name=NAME              index mailbox names starting with NAME
  -S, --sleep=SECONDS          sleep SECONDS between indexing mailboxes
  -Z, --internalindex          Xapian: use internal index rather than cyrus.indexed.db
  -s, --squat-skip[=DELTA]     skip unmodified mailboxes (requires squat backend)

Index sources:
  none                         all mailboxes (default)
  mailbox...                   index mailboxes
  -u, --user=USER...           index mailboxes of USER

Rolling indexer options:
  -n, --channel=CHANNEL        listen to CHANNEL
  -d, --nodaemon               don't background process

Compact mode options:
  -t, --srctier=TIER,...       compact from TIER
  -F, --filter                 filter during compaction
  -T, --reindex-tier=TIER,...  reindex TIER
  -X, --reindex                reindex during compaction
  -o, --copydb                 copy db rather compacting
  -U, --only-upgrade           only compact if re-indexing
 --B, --skip-locked            skip users that are locked by another process

General options:
  -v, --verbose                be verbose
  -h, --help                   show usage
`

// squatEntry is the annotation -a looks for.
const squatEntry = "/vendor/cmu/cyrus-imapd/squat"

func main() {
	cmd := &cli.Command{
		Name:                          "squatter",
		Usage:                         "build the full-text index of mailboxes",
		CustomRootCommandHelpTemplate: usage,
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "r", Usage: "index the mailboxes below each one named too"},
			&cli.BoolFlag{Name: "i", Usage: "add only the messages appended since the last run"},
			&cli.BoolFlag{Name: "a", Usage: "index only mailboxes whose squat annotation is true"},
			&cli.BoolFlag{Name: "v", Usage: "say what is indexed"},
			&cli.BoolFlag{Name: "s", Usage: "skip mailboxes unchanged since their index was written"},
			&cli.BoolFlag{Name: "u", Usage: "the operands are users: index each one's mailboxes"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

type job struct {
	env         *tool.Env
	st          *store.Store
	log         *syslogLines
	incremental bool
	annotated   bool
	verbose     bool
	skip        bool
	indexed     int // mailboxes indexed, for the Total line
	total       stats
}

func run(ctx context.Context, cmd *cli.Command) error {
	env, st, err := tool.SetupStore(cmd, "squatter")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	j := &job{env: env, st: st, incremental: cmd.Bool("i"), annotated: cmd.Bool("a"), verbose: cmd.Bool("v"), skip: cmd.Bool("s"),
		log: newSyslogLines(env.Stderr, env.Cfg.SyslogPrefix(), "squatter")}
	failed := 0
	var names []string
	args := cmd.Args().Slice()
	if len(args) == 0 {
		// No source: every mailbox (Cyrus's default).
		found, err := j.expand(ctx, "", true)
		if err != nil {
			return err
		}
		names = found
	}
	for _, arg := range args {
		name, err := env.Internal(arg, false)
		deep := cmd.Bool("r")
		if cmd.Bool("u") {
			name, deep, err = mboxname.UserInbox(arg), true, nil
		}
		var found []string
		if err == nil {
			found, err = j.expand(ctx, name, deep)
		}
		if err == nil && len(found) == 0 {
			err = store.ErrNotFound
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "squatter: %s: %v\n", arg, err)
			failed++
			continue
		}
		names = append(names, found...)
	}
	j.log.printf("indexing mailboxes")
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := j.one(ctx, name); err != nil {
			fmt.Fprintf(env.Stderr, "squatter: %s: %v\n", env.External(name), err)
			failed++
		}
	}
	if j.verbose && j.indexed > 1 {
		j.log.printf("squat: Total %s", j.total)
	}
	j.log.printf("done indexing mailboxes")
	if failed > 0 {
		return tool.Fail(tool.ExitDataErr, "%d mailboxes could not be indexed", failed)
	}
	return nil
}

// expand returns name (all mailboxes for "") and, when deep, the
// mailboxes below it, leaving out deleted and intermediate entries.
func (j *job) expand(ctx context.Context, name string, deep bool) ([]string, error) {
	var out []string
	err := j.st.Walk(ctx, name, func(e *store.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() || j.st.IsDeletedName(e.Name) {
			return nil
		}
		if e.Name == name || deep {
			out = append(out, e.Name)
		}
		return nil
	})
	return out, err
}

// one indexes a listed mailbox.
func (j *job) one(ctx context.Context, name string) error {
	if j.annotated {
		v, err := j.st.GetMetadata(ctx, name, squatEntry, "")
		if err != nil {
			return err
		}
		if !strings.EqualFold(strings.TrimSpace(string(v)), "true") {
			return nil
		}
	}
	e, err := j.st.Lookup(ctx, name)
	if err != nil {
		return err
	}
	mb, err := j.st.OpenEntry(e, store.QuotaIgnore, nil)
	if err != nil {
		return err
	}
	defer mb.Close()
	ext := j.env.External(name)
	if j.skip {
		if unchanged, err := indexUnchanged(mb); err != nil || unchanged {
			if err == nil && j.verbose {
				fmt.Fprintf(j.env.Stdout, "Skipping mailbox %s: unchanged\n", ext)
			}
			return err
		}
	}
	// Cyrus's lines: the name on stdout (-v, no newline) and in the log.
	if j.verbose {
		fmt.Fprintf(j.env.Stdout, "Indexing mailbox %s... ", ext)
	}
	j.log.printf("indexing mailbox %s... ", ext)
	start := time.Now()
	res, err := indexMailbox(ctx, mb, j.incremental)
	if err != nil {
		return err
	}
	for _, uid := range res.unreadable {
		fmt.Fprintf(j.env.Stderr, "squatter: %s: uid %d: unreadable, left to be searched directly\n", ext, uid)
	}
	res.stats.seconds = time.Since(start)
	j.indexed++
	j.total.add(res.stats)
	if j.verbose {
		j.log.printf("squat: %s %s", name, res.stats)
	}
	return nil
}

// result is what indexMailbox did.
type result struct {
	stats
	unreadable []uint32 // messages left out: their files could not be read
}

// indexUnchanged reports whether mb's index already saw its UIDNEXT (-s).
func indexUnchanged(mb *mailbox.Mailbox) (bool, error) {
	v, err := mb.Snapshot()
	if err != nil {
		return false, err
	}
	old, err := squat.Read(filepath.Join(mb.Dir(), squat.FileName))
	return err == nil && old.UIDValidity == v.UIDValidity && old.UIDNext == v.UIDNext, nil
}

// indexMailbox writes mb's index: from scratch, or (incremental) the
// existing index extended with the messages above its last UID. An
// existing index that is damaged or of another UIDVALIDITY is rebuilt.
// Messages are read and their grams extracted by one worker per CPU, a
// batch at a time, and added to the index in UID order.
func indexMailbox(ctx context.Context, mb *mailbox.Mailbox, incremental bool) (result, error) {
	var res result
	v, err := mb.Snapshot()
	if err != nil {
		return res, err
	}
	path := filepath.Join(mb.Dir(), squat.FileName)
	old, err := squat.Read(path)
	if err != nil || old.UIDValidity != v.UIDValidity {
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, squat.ErrCorrupt) {
			return res, err
		}
		old = nil
	}
	b := squat.NewBuilder(v.UIDValidity)
	if incremental && old != nil {
		b = squat.Extend(old)
	}
	from := b.LastUID()
	var todo []mailbox.Record
	for _, r := range v.Records {
		if r.UID > from {
			todo = append(todo, r)
		}
	}
	grams := make([]messageGrams, min(len(todo), batchSize))
	for len(todo) > 0 {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		batch := todo[:min(len(todo), batchSize)]
		todo = todo[len(batch):]
		extract(mb, batch, grams)
		for i, r := range batch {
			g := grams[i]
			switch {
			case errors.Is(g.err, fs.ErrNotExist) || errors.Is(g.err, mailbox.ErrNoSuchMessage):
				continue // expunged meanwhile
			case g.err != nil:
				res.unreadable = append(res.unreadable, r.UID)
				continue
			}
			if err := b.Add(r.UID, g.grams); err != nil {
				return res, err
			}
			res.messages++
			res.bytes += g.size
		}
	}
	if !(incremental && old != nil && res.messages == 0 && old.UIDNext == v.UIDNext) {
		// Else nothing new: the file stays as it is.
		if err := b.Write(mb.Dir(), v.UIDNext); err != nil {
			return res, err
		}
	}
	if fi, err := os.Stat(path); err == nil {
		res.indexBytes = fi.Size()
	}
	return res, nil
}

// batchSize bounds how many messages' grams are held at once.
const batchSize = 256

// messageGrams is one message's grams, its size, or why it has none.
type messageGrams struct {
	grams []uint32
	size  int64
	err   error
}

// extract fills out[i] with the grams of batch[i], one worker per CPU:
// reading and folding the text is the build's cost, and messages are
// independent.
func extract(mb *mailbox.Mailbox, batch []mailbox.Record, out []messageGrams) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(batch)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(batch); i = int(next.Add(1) - 1) {
				g, size, err := gramsOf(mb, batch[i])
				out[i] = messageGrams{g, size, err}
			}
		})
	}
	wg.Wait()
}

// gramsOf reads one message's grams and its size.
func gramsOf(mb *mailbox.Mailbox, r mailbox.Record) ([]uint32, int64, error) {
	f, err := mb.OpenMessage(r.UID)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("uid %d: not a regular file", r.UID)
	}
	g, err := search.IndexGrams(f, fi.Size(), int64(r.HeaderSize))
	return g, fi.Size(), err
}
