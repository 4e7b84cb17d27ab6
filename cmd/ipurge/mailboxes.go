package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// stats is Cyrus's per-mailbox tally: every message seen, and those purged.
type stats struct {
	total, totalBytes     int64
	deleted, deletedBytes int64
}

// selectMailboxes lists, in mailbox-list order, the mailboxes to purge:
// those matching a pattern (all without one), or with -M those named.
// Users' mailboxes are left out without -f, and mailboxes kept by a
// delayed delete always. A -M name that does not exist is reported and
// counted in failed.
func selectMailboxes(ctx context.Context, env *tool.Env, st *store.Store, o options) (names []string, failed int, err error) {
	if o.names {
		return namedMailboxes(ctx, env, st, o)
	}
	ns := mboxname.NamespaceFromConfig(env.Cfg)
	sep := ns.Separator(true)
	err = st.Walk(ctx, "", func(e *mboxlist.Entry) error {
		if !eligible(st, o, e) {
			return nil
		}
		if len(o.args) == 0 || matchesAny(o.args, env.External(e.Name), sep) {
			names = append(names, e.Name)
		}
		return nil
	})
	if err != nil {
		return nil, 0, tool.Fail(tool.ExitTempFail, "reading the mailbox list: %v", err)
	}
	return names, 0, nil
}

// namedMailboxes resolves -M's arguments, each a mailbox name in the
// administrator's form; wildcards in them are plain characters.
func namedMailboxes(ctx context.Context, env *tool.Env, st *store.Store, o options) (names []string, failed int, err error) {
	for _, arg := range o.args {
		name, err := env.Internal(arg, false)
		if err != nil {
			return nil, 0, tool.Fail(tool.ExitUsage, "%s: %v", arg, err)
		}
		e, err := st.Lookup(ctx, name)
		switch {
		case errors.Is(err, mboxlist.ErrNotFound):
			fmt.Fprintf(env.Stderr, "ipurge: %s: %v\n", arg, mboxlist.ErrNotFound)
			failed++
			continue
		case err != nil:
			return nil, 0, tool.Fail(tool.ExitTempFail, "%s: %v", arg, err)
		}
		if eligible(st, o, e) && !slices.Contains(names, e.Name) {
			names = append(names, e.Name)
		}
	}
	return names, failed, nil
}

// eligible reports whether ipurge may work on the mailbox at all: a real
// one, not kept by a delayed delete, and not a user's unless -f.
func eligible(st *store.Store, o options, e *mboxlist.Entry) bool {
	if e.IsDeleted() || e.IsIntermediate() || st.IsDeletedName(e.Name) {
		return false
	}
	if _, isUser := mboxname.UserOf(e.Name); isUser && !o.force {
		return false
	}
	return true
}

func matchesAny(patterns []string, external string, sep byte) bool {
	for _, p := range patterns {
		if mboxname.Match(p, external, sep) {
			return true
		}
	}
	return false
}

// purgeMailboxes purges each mailbox in turn and prints Cyrus's report
// for it on stdout. A mailbox that fails is reported on stderr and
// skipped; the number of them is returned.
func purgeMailboxes(ctx context.Context, env *tool.Env, st *store.Store, o options, names []string) int {
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	failed := 0
	for _, name := range names {
		if o.verbose {
			fmt.Fprintf(out, "Working on %s...\n", name)
		}
		s, err := purgeMailbox(ctx, st, o, name, out)
		if err != nil {
			out.Flush() // keep stdout and stderr in order
			fmt.Fprintf(env.Stderr, "ipurge: %s: %v\n", env.External(name), err)
			failed++
			continue
		}
		writeStats(out, s)
	}
	return failed
}

// purgeMailbox expunges (with -n only lists) the messages of one mailbox
// that o selects.
func purgeMailbox(ctx context.Context, st *store.Store, o options, name string, out io.Writer) (stats, error) {
	mb, _, err := st.Open(ctx, name, quota.Ignore)
	if err != nil {
		return stats{}, err
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		return stats{}, err
	}
	var s stats
	var chosen []uint32
	now := time.Now()
	for _, r := range v.Records {
		s.total++
		s.totalBytes += int64(r.Size)
		if o.purges(r, now) {
			chosen = append(chosen, r.UID)
		}
	}
	if o.dryRun {
		for _, uid := range chosen {
			r, _ := v.Lookup(uid)
			writeRecord(out, v, r)
		}
		s.addDeleted(v, chosen)
		return s, nil
	}
	if len(chosen) == 0 {
		return s, nil
	}
	gone, err := expunge(ctx, mb, o, chosen)
	s.addDeleted(v, gone)
	return s, err
}

// expunge removes the chosen messages. With -o the \Deleted test is made
// again under the mailbox's write lock, so a message a client undeleted
// meanwhile stays.
func expunge(ctx context.Context, mb *mailbox.Mailbox, o options, uids []uint32) ([]uint32, error) {
	if o.onlyDeleted {
		return mb.ExpungeDeleted(ctx, uids)
	}
	return mb.Expunge(ctx, uids)
}

func (s *stats) addDeleted(v *mailbox.View, uids []uint32) {
	for _, uid := range uids {
		if r, ok := v.Lookup(uid); ok {
			s.deleted++
			s.deletedBytes += int64(r.Size)
		}
	}
}

// writeStats prints Cyrus's per-mailbox totals.
func writeStats(w io.Writer, s stats) {
	fmt.Fprintf(w, "Total messages    \t\t %d\n", s.total)
	fmt.Fprintf(w, "Total bytes       \t\t %d\n", s.totalBytes)
	fmt.Fprintf(w, "Deleted messages  \t\t %d\n", s.deleted)
	fmt.Fprintf(w, "Deleted bytes     \t\t %d\n", s.deletedBytes)
	fmt.Fprintf(w, "Remaining messages\t\t %d\n", s.total-s.deleted)
	fmt.Fprintf(w, "Remaining bytes   \t\t %d\n", s.totalBytes-s.deletedBytes)
}

// writeRecord prints a message -n would purge, as Cyrus does.
func writeRecord(w io.Writer, v *mailbox.View, r mailbox.Record) {
	m := tool.MessageListing{UID: r.UID, Size: r.Size, Sent: r.SentDate(), Recv: r.InternalDate()}
	h, err := cachedHeader(v, r)
	if err == nil {
		m.Sent, m.Header = tool.CyrusEnvelope(h, r.InternalDate())
	} else {
		m.HeaderError = "ERROR: cache record missing or corrupt, not printing cache details"
	}
	tool.WriteMessageListing(w, m)
}

// cachedHeader returns the header block the cache keeps for r.
func cachedHeader(v *mailbox.View, r mailbox.Record) ([]byte, error) {
	c, err := v.Cached(r)
	if err != nil {
		return nil, err
	}
	return c.Headers, nil
}
