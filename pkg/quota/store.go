package quota

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"gocyrus/pkg/cyrusdb"
)

// ErrNoRoot is returned for a name that is not a quota root.
var ErrNoRoot = errors.New("Quota root does not exist")

// OverQuotaError reports the resource a refused change would have exceeded.
type OverQuotaError struct {
	Root     string
	Resource Resource
}

func (e *OverQuotaError) Error() string {
	return fmt.Sprintf("Over quota: %s on root %s", e.Resource, e.Root)
}

// ErrOverQuota matches every *OverQuotaError with errors.Is.
var ErrOverQuota = errors.New("Over quota")

func (e *OverQuotaError) Is(target error) bool { return target == ErrOverQuota }

// Root is a quota root with its limits and usage.
type Root struct {
	Name   string
	Limits Limits
	Usage  Usage
}

// Store keeps quota roots in the databases.
type Store struct {
	db    cyrusdb.DB
	roots *rootCache // nil: RootOf always reads (CacheRoots)
}

// New returns a Store over db.
func New(db cyrusdb.DB) *Store { return &Store{db: db} }

func limitKey(root string) []byte { return append([]byte("QL"), root...) }
func usageKey(root string) []byte { return append([]byte("QU"), root...) }

func decodeVector(b []byte) ([NumResources]int64, error) {
	var v [NumResources]int64
	if len(b) == 0 {
		return v, nil
	}
	if len(b)%8 != 0 {
		return v, fmt.Errorf("%d bytes is not a counter vector", len(b))
	}
	copy(v[:], cyrusdb.DecodeCounters(b))
	return v, nil
}

// limits reads a root's limits and the version they were read at.
func (s *Store) limits(ctx context.Context, root string) (Limits, uint64, error) {
	b, ver, err := s.db.Get(ctx, limitKey(root))
	if err != nil {
		if errors.Is(err, cyrusdb.ErrNotFound) {
			return Limits{}, 0, ErrNoRoot
		}
		return Limits{}, 0, err
	}
	v, err := decodeVector(b)
	if err != nil {
		return Limits{}, 0, fmt.Errorf("quota: limits of %s: %w", root, err)
	}
	return Limits(v), ver, nil
}

// Get returns a root with its limits and usage.
func (s *Store) Get(ctx context.Context, root string) (Root, error) {
	l, _, err := s.limits(ctx, root)
	if err != nil {
		return Root{}, err
	}
	u, err := s.usage(ctx, root)
	if err != nil {
		return Root{}, err
	}
	return Root{Name: root, Limits: l, Usage: u}, nil
}

func (s *Store) usage(ctx context.Context, root string) (Usage, error) {
	b, _, err := s.db.Get(ctx, usageKey(root))
	if err != nil && !errors.Is(err, cyrusdb.ErrNotFound) {
		return Usage{}, err
	}
	v, err := decodeVector(b)
	if err != nil {
		return Usage{}, fmt.Errorf("quota: usage of %s: %w", root, err)
	}
	return Usage(v), nil
}

// Set creates root or replaces its limits. As SETQUOTA does, resources not
// given are unlimited: pass NoLimits() with the wanted ones filled in.
func (s *Store) Set(ctx context.Context, root string, l Limits) error {
	if root == "" {
		return errors.New("quota: empty root name")
	}
	defer s.roots.forget()
	return s.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: limitKey(root), Val: cyrusdb.EncodeCounters(l[:])}})
}

// Remove deletes a root and its usage record; mailboxes beneath fall back to
// the next ancestor root.
func (s *Store) Remove(ctx context.Context, root string) error {
	defer s.roots.forget()
	err := s.db.Txn(ctx,
		[]cyrusdb.Cond{{Key: limitKey(root), Exists: true}},
		[]cyrusdb.Op{cyrusdb.Delete{Key: limitKey(root)}, cyrusdb.Delete{Key: usageKey(root)}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return ErrNoRoot
	}
	return err
}

// List returns every root whose name starts with prefix, in name order.
func (s *Store) List(ctx context.Context, prefix string) ([]Root, error) {
	var roots []Root
	err := s.db.Scan(ctx, limitKey(prefix), func(k, v []byte, _ uint64) error {
		l, err := decodeVector(v)
		if err != nil {
			return fmt.Errorf("quota: limits of %s: %w", k[2:], err)
		}
		roots = append(roots, Root{Name: string(k[2:]), Limits: Limits(l)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range roots {
		if roots[i].Usage, err = s.usage(ctx, roots[i].Name); err != nil {
			return nil, err
		}
	}
	return roots, nil
}

// RootOf returns the root governing mailbox (an internal name): the longest
// root that is the name itself or a hierarchical ancestor. With CacheRoots
// the answer may be up to its TTL old.
func (s *Store) RootOf(ctx context.Context, mailbox string) (string, bool, error) {
	if s.roots != nil {
		return s.cachedRootOf(ctx, mailbox)
	}
	return s.lookupRoot(ctx, mailbox)
}

// lookupRoot is RootOf read from the databases. The ancestors are looked
// up at once: through the db service the requests share one round trip
// instead of one each (an APPEND to user.x.a.b asks about four names).
func (s *Store) lookupRoot(ctx context.Context, mailbox string) (string, bool, error) {
	var names []string
	for name := mailbox; name != ""; name = parentOf(name) {
		names = append(names, name)
	}
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i+1] = s.db.Get(ctx, limitKey(name))
		}()
	}
	if len(names) > 0 {
		_, _, errs[0] = s.db.Get(ctx, limitKey(names[0]))
	}
	wg.Wait()
	// The nearest existing root wins; an error before it means the
	// answer is unknown.
	for i, err := range errs {
		if err == nil {
			return names[i], true, nil
		}
		if !errors.Is(err, cyrusdb.ErrNotFound) {
			return "", false, err
		}
	}
	return "", false, nil
}

// parentOf drops the last hierarchy component of an internal name, keeping
// a virtual-domain prefix ("dom!user.x" -> "dom!user" -> "").
func parentOf(name string) string {
	dom, local := "", name
	if i := strings.IndexByte(name, '!'); i >= 0 {
		dom, local = name[:i+1], name[i+1:]
	}
	i := strings.LastIndexByte(local, '.')
	if i < 0 {
		return ""
	}
	return dom + local[:i]
}

// SetUsage overwrites a root's usage (quota -f after recomputing from the spool).
func (s *Store) SetUsage(ctx context.Context, root string, u Usage) error {
	return s.db.Txn(ctx,
		[]cyrusdb.Cond{{Key: limitKey(root), Exists: true}},
		[]cyrusdb.Op{cyrusdb.Put{Key: usageKey(root), Val: cyrusdb.EncodeCounters(u[:])}})
}

// Reservation is usage charged to a root ahead of a change.
type Reservation struct {
	store *Store
	root  string
	delta Usage
	done  bool
}

// Commit keeps the charge.
func (r *Reservation) Commit() error {
	r.done = true
	return nil
}

// Release gives back a charge that was not used. It is a no-op after Commit.
func (r *Reservation) Release() {
	if r == nil || r.done || r.store == nil {
		return
	}
	r.done = true
	var neg [NumResources]int64
	for i, d := range r.delta {
		neg[i] = -d
	}
	// Best effort: a failure leaves usage high, which `quota -f` corrects.
	_ = r.store.db.Txn(context.Background(), nil, []cyrusdb.Op{cyrusdb.Add{Key: usageKey(r.root), Deltas: neg[:]}})
}

// Reserve charges delta to root under mode. An empty root (no quota root
// governs the mailbox) charges nothing. A refusal is an *OverQuotaError.
func (s *Store) Reserve(ctx context.Context, root string, delta Usage, mode Mode) (*Reservation, error) {
	if root == "" {
		return &Reservation{done: true}, nil
	}
	for attempt := 0; attempt < 16; attempt++ {
		l, ver, err := s.limits(ctx, root)
		if errors.Is(err, ErrNoRoot) {
			return &Reservation{done: true}, nil // the root was removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		var lims [NumResources]int64
		for i := range lims {
			lims[i] = Unlimited
			if mode != Ignore {
				lims[i] = l.usageLimit(Resource(i))
			}
		}
		err = s.db.Txn(ctx,
			[]cyrusdb.Cond{{Key: limitKey(root), Version: ver}},
			[]cyrusdb.Op{cyrusdb.Add{Key: usageKey(root), Deltas: delta[:], Limits: lims[:], CheckBefore: mode == Overflow}})
		switch {
		case err == nil:
			return &Reservation{store: s, root: root, delta: delta}, nil
		case errors.Is(err, cyrusdb.ErrConflict):
			continue // the limits changed between our read and the add
		case errors.Is(err, cyrusdb.ErrLimit):
			res := Storage
			var le *cyrusdb.LimitError
			if errors.As(err, &le) {
				res = Resource(le.Index)
			}
			return nil, &OverQuotaError{Root: root, Resource: res}
		default:
			return nil, err
		}
	}
	return nil, fmt.Errorf("quota: %s: limits keep changing, giving up", root)
}
