package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gocyrus/internal/duration"
	"gocyrus/internal/tool"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// expireEntry is the annotation giving, in days, how long a mailbox's
// messages are kept; it is inherited from the parents and the server.
const expireEntry = "/vendor/cmu/cyrus-imapd/expire"

// tally counts the per-mailbox work for the -v summary.
type tally struct {
	seen, expired, expunged, mailboxes, failed int
}

// cleanMailboxes does the per-mailbox work in every selected mailbox:
// expiry by annotation (unless -a), then, with -X, removing the kept
// files of messages expunged before the cutoff. A mailbox that fails is
// reported and skipped, as in Cyrus; the number of such mailboxes is
// returned.
func cleanMailboxes(ctx context.Context, env *tool.Env, st *store.Store, j job) (int, error) {
	if j.expunge >= 0 {
		verbosef(env, j, "Expunging deleted messages in mailboxes older than %s days", duration.Days(j.expunge))
	}
	names, err := selectMailboxes(ctx, env, st, j)
	if err != nil {
		return 0, err
	}
	purgeMark := markFor(j.expunge)
	var t tally
	for _, name := range names {
		if err := cleanMailbox(ctx, env, st, j, name, purgeMark, &t); err != nil {
			fmt.Fprintf(env.Stderr, "cyr_expire: %s: %v\n", env.External(name), err)
			t.failed++
		}
	}
	verbosef(env, j, "\nExpired %d and expunged %d out of %d messages from %d mailboxes",
		t.expired, t.expunged, t.seen, t.mailboxes)
	return t.failed, nil
}

// cleanMailbox does one mailbox's work and adds it to t.
func cleanMailbox(ctx context.Context, env *tool.Env, st *store.Store, j job, name string, purgeMark time.Time, t *tally) error {
	mb, _, err := st.Open(ctx, name, quota.Ignore)
	if err != nil {
		return err
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		return err
	}
	kept, err := mb.Expunged()
	if err != nil {
		return err
	}
	if !j.skipAnnotations {
		n, err := expireByAnnotation(ctx, env, st, j, name, mb, v)
		if err != nil {
			return err
		}
		t.expired += n
	}
	// Cyrus names every mailbox of the pass here, with or without -X.
	verbosef(env, j, "cleaning up expunged messages in %s", name)
	if j.expunge >= 0 {
		purged, err := mb.PurgeExpunged(ctx, purgeMark)
		if err != nil {
			return err
		}
		t.expunged += len(purged)
	}
	t.seen += len(v.Records) + len(kept)
	t.mailboxes++
	return nil
}

// expireByAnnotation expunges the messages of v older than the mailbox's
// expire annotation allows (none when it is unset or 0). A message's age
// is that of its Date header, or of its arrival when it has none.
func expireByAnnotation(ctx context.Context, env *tool.Env, st *store.Store, j job, name string, mb *mailbox.Mailbox, v *mailbox.View) (int, error) {
	keep, err := expireAnnotation(ctx, env, st, name)
	if err != nil || keep <= 0 {
		return 0, err
	}
	verbosef(env, j, "expiring messages in %s older than %s days", name, duration.Days(keep))
	mark := markFor(keep)
	var old []uint32
	for _, r := range v.Records {
		sent := r.SentDate()
		if sent.IsZero() {
			sent = r.InternalDate()
		}
		if sent.Before(mark) {
			old = append(old, r.UID)
		}
	}
	if len(old) == 0 {
		return 0, nil
	}
	gone, err := mb.Expunge(ctx, old)
	return len(gone), err
}

// expireAnnotation returns the expire annotation that applies to name:
// its own, else its nearest parent's, else the server's; 0 when none is
// set. A value that is not a duration is reported and ignored, as Cyrus
// ignores it.
func expireAnnotation(ctx context.Context, env *tool.Env, st *store.Store, name string) (time.Duration, error) {
	for n := name; ; {
		val, err := st.GetMetadata(ctx, n, expireEntry, "")
		if err != nil {
			return 0, fmt.Errorf("reading %s: %w", expireEntry, err)
		}
		if s := strings.TrimSpace(string(val)); s != "" {
			d, err := duration.Parse(s, duration.Day)
			if err != nil {
				fmt.Fprintf(env.Stderr, "cyr_expire: %s: %s ignored: %v\n", env.External(name), expireEntry, err)
				return 0, nil
			}
			return d, nil
		}
		if n == "" {
			return 0, nil
		}
		n, _ = mboxname.Parent(n) // "" at the top: the server entry
	}
}
