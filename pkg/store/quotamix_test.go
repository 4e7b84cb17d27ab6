package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// TestQuotaMixMatchesSpool runs a seeded random mix of APPEND, COPY, MOVE,
// EXPUNGE, RENAME, SETQUOTA, removal of roots, CREATE and DELETE (delete
// and expunge modes delayed and immediate) through two Stores sharing the
// databases and the spool, as two processes do, with mailboxes held open
// across renames and deletes made by the other, then checks that every
// root's usage and every mailbox's charge record is what the spool holds
// (what quota -f computes): nothing to fix. GOCYRUS_SEED=n replays a seed.
func TestQuotaMixMatchesSpool(t *testing.T) {
	for _, del := range []string{"delayed", "immediate"} {
		for _, exp := range []string{"delayed", "immediate"} {
			t.Run("delete_mode="+del+",expunge_mode="+exp, func(t *testing.T) { quotaMix(t, del, exp) })
		}
	}
}

// mixSeed is GOCYRUS_SEED when set, else the clock.
func mixSeed(t *testing.T) uint64 {
	if v := os.Getenv("GOCYRUS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("GOCYRUS_SEED: %v", err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

func quotaMix(t *testing.T, deleteMode, expungeMode string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seed := mixSeed(t)
	t.Logf("seed %d (replay with GOCYRUS_SEED=%d)", seed, seed)
	s1 := newStore(t, "delete_mode", deleteMode, "expunge_mode", expungeMode)
	s2, err := New(s1.cfg, s1.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	s2.quota.CacheRoots(true) // as lmtpd does
	names := []string{"user.u", "user.u.a", "user.u.a.b", "user.v", "user.v.c"}
	for _, n := range names {
		if _, err := s1.CreateMailbox(ctx, n, CreateOptions{Quota: quota.Ignore}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for w, st := range []*Store{s1, s2, s1, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; i < 40 && ctx.Err() == nil; i++ {
				if err := mixStep(ctx, st, rng, names); err != nil {
					t.Errorf("worker %d step %d: %v", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	assertUsageMatchesSpool(t, s1)
}

// mixStep runs one random operation; refusals a real client can meet
// (over quota, no such mailbox, already exists) are not errors.
func mixStep(ctx context.Context, st *Store, rng *rand.Rand, names []string) error {
	pick := func() string { return names[rng.IntN(len(names))] }
	var err error
	switch op := rng.IntN(11); op {
	case 0, 1, 2: // APPEND
		err = withBox(ctx, st, pick(), func(mb *mailbox.Mailbox) error {
			body := "Subject: m\r\n\r\n" + strings.Repeat("x", 100+rng.IntN(3000)) + "\r\n"
			_, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader(body)}})
			return err
		})
	case 3: // COPY everything from one mailbox to another
		src, dst := pick(), pick()
		err = withBox(ctx, st, src, func(from *mailbox.Mailbox) error {
			return withBox(ctx, st, dst, func(to *mailbox.Mailbox) error {
				v, err := from.Snapshot()
				if err != nil || len(v.Records) == 0 {
					return err
				}
				uids := []uint32{v.Records[0].UID}
				_, _, err = to.CopyFrom(ctx, from, uids)
				return err
			})
		})
	case 10: // MOVE one message: COPY, then EXPUNGE at the source
		src, dst := pick(), pick()
		err = withBox(ctx, st, src, func(from *mailbox.Mailbox) error {
			return withBox(ctx, st, dst, func(to *mailbox.Mailbox) error {
				v, err := from.Snapshot()
				if err != nil || len(v.Records) == 0 {
					return err
				}
				uids := []uint32{v.Records[0].UID}
				if _, _, err = to.CopyFrom(ctx, from, uids); err != nil {
					return err
				}
				_, err = from.Expunge(ctx, uids)
				return err
			})
		})
	case 4: // EXPUNGE one message
		err = withBox(ctx, st, pick(), func(mb *mailbox.Mailbox) error {
			v, err := mb.Snapshot()
			if err != nil || len(v.Records) == 0 {
				return err
			}
			_, err = mb.Expunge(ctx, []uint32{v.Records[rng.IntN(len(v.Records))].UID})
			return err
		})
	case 5: // SETQUOTA with a limit that often bites
		l := quota.NoLimits()
		l[quota.Storage] = int64(rng.IntN(40))
		err = st.SetQuota(ctx, pick(), l)
	case 6: // remove a root
		err = st.RemoveQuota(ctx, pick())
	case 7: // RENAME a leaf away and back
		n := pick()
		tmp := n + "-" + fmt.Sprint(rng.IntN(1000))
		if err = st.RenameMailbox(ctx, n, "user.w"+tmp[strings.IndexByte(tmp, '.'):], ""); err == nil {
			err = st.RenameMailbox(ctx, "user.w"+tmp[strings.IndexByte(tmp, '.'):], n, "")
		}
	case 8, 9: // DELETE and CREATE again (a user's INBOX takes its tree)
		n := pick()
		if !strings.Contains(n[5:], ".") {
			n += ".tmp"
			st.CreateMailbox(ctx, n, CreateOptions{Quota: quota.Ignore})
		}
		if _, err = st.DeleteMailbox(ctx, n); err == nil {
			_, err = st.CreateMailbox(ctx, n, CreateOptions{Quota: quota.Ignore})
		}
	}
	if err == nil || benign(err) {
		return nil
	}
	return err
}

func benign(err error) bool {
	// A mailbox deleted by another worker while held open: its spool
	// directory is gone, or its charge finds no mailbox.
	for _, e := range []error{quota.ErrOverQuota, quota.ErrNoRoot, mailbox.ErrOverQuota, mailbox.ErrNotFound, quota.ErrNoMailbox, fs.ErrNotExist} {
		if errors.Is(err, e) {
			return true
		}
	}
	s := err.Error()
	return strings.Contains(s, "not found") || strings.Contains(s, "exists") || strings.Contains(s, "Mailbox does not exist") || errors.Is(err, mboxlist.ErrChanged)
}

func withBox(ctx context.Context, st *Store, name string, fn func(*mailbox.Mailbox) error) error {
	mb, _, err := st.Open(ctx, name, quota.Strict)
	if err != nil {
		return err
	}
	defer mb.Close()
	return fn(mb)
}

// assertUsageMatchesSpool: every root's STORAGE, MESSAGE and X-NUM-FOLDERS
// usage, and the unrooted usage, equal what the spool holds.
func assertUsageMatchesSpool(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	roots, err := st.quota.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range append(roots, quota.Root{Name: ""}) {
		before, after, err := st.FixUsage(ctx, r.Name, true, func(e *UnreadableError) { t.Error(e) })
		if err != nil {
			t.Fatal(err)
		}
		if before != after {
			t.Errorf("root %q: usage %v, the spool holds %v", r.Name, before, after)
		}
	}
	stored, err := st.RecomputeUsage(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = st.db.Scan(ctx, []byte("QM"), func(k, v []byte, _ uint64) error {
		name := string(k[2:])
		got, _ := st.quota.Charged(ctx, name)
		want, ok := stored[name]
		want[quota.AnnotationStorage] = got[quota.AnnotationStorage]
		if !ok || got != want {
			t.Errorf("mailbox %q (exists %v): charged %v, the spool holds %v", name, ok, got, want)
		}
		delete(stored, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, u := range stored {
		if u != (quota.Usage{}) {
			t.Errorf("mailbox %q: nothing charged, the spool holds %v", name, u)
		}
	}
}
