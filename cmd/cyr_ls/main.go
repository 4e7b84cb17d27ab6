// Command cyr_ls lists a mailbox's child mailboxes as Cyrus 3.6's does:
// names in columns (-1 one a line), -l with the child's spool directory
// as ls -l shows it, -i with unique ids, -R each child's own listing in
// turn. The mailbox is named (UTF-8, or modified UTF-7 with -7), or found
// by its spool directory (-p, the current directory when none is given).
// Message files are not listed: Cyrus 3.6.1 lists none either. It changes
// nothing.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"gocyrus/internal/getopt"
	"gocyrus/internal/tool"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// usage is Cyrus 3.6's, what -h prints.
const usage = `usage: cyr_ls [-C <alt_config>] [-p] [-m] [-i] [-l] [-R] [-1] [mailbox name]

	-p	argument is a UNIX path, not mailbox
	-7	mailbox argument is in modified UTF7 rather than UTF8
	-m	list the contents of the metadata directory (if different from the data directory)
	-i	print ID of each mailbox
	-l	long listing format
	-R	list submailboxes recursively
	-1	list one file per line
`

// exitUsage is Cyrus's status for a usage error (exit(-1)).
const exitUsage = 255

func main() {
	cmd := &cli.Command{
		Name:     "cyr_ls",
		Usage:    "list a mailbox's child mailboxes",
		HideHelp: true, // urfave's help printer turns the usage's tabs into spaces
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "h", Usage: "print the usage"},
			&cli.BoolFlag{Name: "p", Usage: "the argument is a spool directory"},
			&cli.BoolFlag{Name: "utf7", Usage: "-7: the argument and the names printed are modified UTF-7"},
			&cli.BoolFlag{Name: "m", Usage: "the metadata directory (the spool directory in gocyrus)"},
			&cli.BoolFlag{Name: "i", Usage: "print each mailbox's unique id"},
			&cli.BoolFlag{Name: "l", Usage: "long listing"},
			&cli.BoolFlag{Name: "R", Usage: "list the children recursively"},
			&cli.BoolFlag{Name: "one", Usage: "-1: one name a line"},
		},
		Action: run,
	}
	code := tool.Run(cmd, digitOptions(os.Args), os.Stderr)
	if code == tool.ExitUsage {
		code = exitUsage
	}
	os.Exit(code)
}

// digitOptions renames -1 and -7, which urfave/cli takes for numbers, to
// the long flags declaring them, once the command line is in getopt's
// plain form (one word per option, then "--" and the operands).
func digitOptions(args []string) []string {
	if len(args) == 0 {
		return args
	}
	out := []string{args[0]}
	words := getopt.Normalize(args[1:], func(c byte) bool { return c == 'C' })
	for i := 0; i < len(words); i++ {
		switch a := words[i]; a {
		case "--":
			return append(out, words[i:]...)
		case "-C":
			out = append(out, words[i:min(i+2, len(words))]...)
			i++
		case "-1":
			out = append(out, "--one")
		case "-7":
			out = append(out, "--utf7")
		default:
			out = append(out, a)
		}
	}
	return out
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("h") {
		fmt.Fprint(cmd.Writer, usage)
		return nil
	}
	if cmd.NArg() > 1 {
		fmt.Fprint(cmd.ErrWriter, usage)
		return tool.Fail(exitUsage, "one mailbox at most")
	}
	env, st, err := tool.SetupStore(cmd, "cyr_ls")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	l := &lister{
		ctx: ctx, st: st, out: env.Stdout,
		ns:     mboxname.NamespaceFromConfig(env.Cfg),
		utf8:   !cmd.Bool("utf7"),
		ids:    cmd.Bool("i"),
		long:   cmd.Bool("l"),
		rec:    cmd.Bool("R"),
		cols:   4,
		now:    time.Now(),
		owners: map[uint32]string{}, groups: map[uint32]string{},
	}
	if f, ok := env.Stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		l.color = true
	}
	if l.ids || l.long || cmd.Bool("one") {
		l.cols = 1
	}
	arg := cmd.Args().First()
	name, found := "", false
	if !cmd.Bool("p") && arg != "" {
		name, found = l.byName(arg)
	}
	if !found {
		dir := arg
		if dir == "" {
			dir = "."
		}
		if name, found = l.byDir(dir); !found {
			// Cyrus prints '(null)' here and exits 0; we name what was
			// not found (cyr_ls.8).
			fmt.Fprintf(env.Stderr, "Invalid mailbox name: '%s'\n", dir)
			return nil
		}
	}
	return l.list(name)
}

type lister struct {
	ctx                  context.Context
	st                   *store.Store
	out                  io.Writer
	ns                   mboxname.Namespace
	utf8, ids, long, rec bool
	color                bool
	cols                 int
	now                  time.Time
	owners, groups       map[uint32]string
}

// byName resolves a mailbox name in the administrator's external form.
func (l *lister) byName(arg string) (string, bool) {
	if l.utf8 {
		arg = mboxname.EncodeUTF7(arg)
	}
	name, err := l.ns.ToInternal(arg, "", true)
	if err != nil {
		return "", false
	}
	e, err := l.st.Lookup(l.ctx, name)
	return name, err == nil && !e.IsDeleted()
}

// byDir finds the mailbox whose spool directory is dir.
func (l *lister) byDir(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	want, err := os.Stat(abs)
	if err != nil {
		return "", false
	}
	found := ""
	err = l.st.Walk(l.ctx, "", func(e *store.Entry) error {
		if found != "" || e.IsDeleted() || e.IsIntermediate() {
			return nil
		}
		d, err := l.st.Dir(e)
		if err != nil {
			return nil
		}
		if d == abs {
			found = e.Name
		} else if fi, err := os.Stat(d); err == nil && os.SameFile(fi, want) {
			found = e.Name
		}
		return nil
	})
	return found, err == nil && found != ""
}

// list prints one mailbox's listing, then (-R) each child's.
func (l *lister) list(name string) error {
	e, err := l.st.Lookup(l.ctx, name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	ext, err := l.ns.ToExternal(name, "", true)
	if err != nil {
		ext = name
	}
	fmt.Fprintf(l.out, "\n%s:\n", ext)
	if e.IsDeleted() {
		return nil
	}
	kids, err := l.children(name)
	if err != nil {
		return err
	}
	for i, k := range kids {
		if i%l.cols == 0 {
			fmt.Fprint(l.out, "\n")
		} else {
			fmt.Fprint(l.out, "    ")
		}
		l.entry(k)
	}
	fmt.Fprint(l.out, "\n")
	if l.rec {
		for _, k := range kids {
			if err := l.list(k.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// children returns the mailboxes one level below name, by name; an
// intermediate level that is no mailbox is not one (as in Cyrus).
func (l *lister) children(name string) ([]*mboxlist.Entry, error) {
	prefix := name + "."
	var kids []*mboxlist.Entry
	err := l.st.Walk(l.ctx, name, func(e *store.Entry) error {
		rest, ok := strings.CutPrefix(e.Name, prefix)
		if ok && rest != "" && !strings.Contains(rest, ".") && !e.IsDeleted() && !e.IsIntermediate() {
			kids = append(kids, e)
		}
		return nil
	})
	sort.Slice(kids, func(i, j int) bool { return kids[i].Name < kids[j].Name })
	return kids, err
}

// ANSI colours Cyrus uses when stdout is a terminal.
const (
	colorReset   = "\x1b[0m"
	colorRed     = "\x1b[31m"
	colorMagenta = "\x1b[35m"
	colorBrBlue  = "\x1b[94m"
)

// entry prints one child: its id (-i), its directory's stat (-l), its
// last name component, then the padding of its column.
func (l *lister) entry(e *mboxlist.Entry) {
	if l.ids {
		fmt.Fprintf(l.out, "%-40s ", e.UniqueID)
	}
	color := ""
	if l.long || l.color {
		var fi os.FileInfo
		dir, err := l.st.Dir(e)
		if err == nil {
			fi, err = os.Stat(dir)
		}
		if l.long {
			l.longLine(fi)
		}
		switch {
		case !l.color:
		case err != nil:
			color = colorRed
		case strings.ContainsAny(e.Type, "acCnsjpN"):
			color = colorMagenta
		default:
			color = colorBrBlue
		}
	}
	leaf := e.Name[strings.LastIndexByte(e.Name, '.')+1:]
	if l.utf8 {
		if u, err := mboxname.DecodeUTF7(leaf); err == nil {
			leaf = u
		}
	}
	fmt.Fprint(l.out, color)
	n := printName(l.out, leaf)
	if color != "" {
		fmt.Fprint(l.out, colorReset)
	}
	if l.cols > 1 {
		if fill := 76/l.cols - n; fill > 0 {
			fmt.Fprint(l.out, strings.Repeat(" ", fill))
		}
	}
}

// specials are the characters that make Cyrus quote a name.
const specials = " !\"#$&'()*,;<>?[\\]^`{|}~"

// printName prints a name as Cyrus's cyr_ls does — after a space when it
// needs no quoting, else in single quotes, in double quotes when it holds
// a single quote, in single quotes with \' when it holds both — and
// returns the width Cyrus counts for its column (bytes, its own count for
// the last form).
func printName(w io.Writer, name string) int {
	n := strings.IndexAny(name, specials)
	switch {
	case n < 0:
		fmt.Fprintf(w, " %s", name)
		return len(name) + 1
	case !strings.Contains(name[n:], "'"):
		fmt.Fprintf(w, "'%s'", name)
	case !strings.Contains(name[n:], `"`):
		fmt.Fprintf(w, "\"%s\"", name)
	default:
		fmt.Fprintf(w, "'%s'", strings.ReplaceAll(name, "'", `\'`))
	}
	return len(name) + 2
}

// longLine prints ls -l's columns for a directory as Cyrus does: mode,
// links, owner, group, size, change time (the year instead of the time
// after a year); a directory that cannot be read shows zeros.
func (l *lister) longLine(fi os.FileInfo) {
	var mode os.FileMode
	var nlink uint64
	var uid, gid uint32
	var size int64
	ctime := time.Unix(0, 0)
	if fi != nil {
		mode, size = fi.Mode(), fi.Size()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			nlink, uid, gid = uint64(st.Nlink), st.Uid, st.Gid
			ctime = time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
		}
	}
	perm := []byte("-rwxrwxrwx")
	if mode.IsDir() {
		perm[0] = 'd'
	}
	for i := 0; i < 9; i++ {
		if mode.Perm()&(1<<(8-i)) == 0 {
			perm[i+1] = '-'
		}
	}
	ctime = ctime.Local()
	date := fmt.Sprintf("%s %02d %2d:%02d", ctime.Format("Jan"), ctime.Day(), ctime.Hour(), ctime.Minute())
	if l.now.Sub(ctime) > 365*24*time.Hour {
		date = fmt.Sprintf("%s %02d  %d", ctime.Format("Jan"), ctime.Day(), ctime.Year())
	}
	fmt.Fprintf(l.out, "%s %d %-8s %-8s % 10d %s ", perm, nlink, l.owner(uid), l.group(gid), size, date)
}

// owner and group name a uid and gid (the number when unknown).
func (l *lister) owner(uid uint32) string {
	if s, ok := l.owners[uid]; ok {
		return s
	}
	s := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(s); err == nil {
		s = u.Username
	}
	l.owners[uid] = s
	return s
}

func (l *lister) group(gid uint32) string {
	if s, ok := l.groups[gid]; ok {
		return s
	}
	s := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(s); err == nil {
		s = g.Name
	}
	l.groups[gid] = s
	return s
}
