package quota

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/panics"
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
	roots *rootCache // nil: every charge resolves its root afresh (CacheRoots)
}

// New returns a Store over db.
func New(db cyrusdb.DB) *Store { return &Store{db: db} }

// maxAttempts bounds the retries of a transaction whose conditions keep
// failing because other processes change the same keys.
const maxAttempts = 200

var (
	// genKey is bumped by every change to the root set.
	genKey = []byte(cyrusdb.KeyQuotaGeneration)
	// unrootedKey counts the usage of mailboxes no root governs, so that a
	// root created over them sees (through its version) every charge
	// racing with the takeover.
	unrootedKey = []byte(cyrusdb.KeyQuotaUnrooted)
)

func limitKey(root string) []byte      { return append([]byte(cyrusdb.PrefixQuotaLimit), root...) }
func usageKey(root string) []byte      { return append([]byte(cyrusdb.PrefixQuotaUsage), root...) }
func mailboxKey(mailbox string) []byte { return append([]byte(cyrusdb.PrefixQuotaCharge), mailbox...) }

// bucketKey is the usage counter a root's charges go to ("" = unrooted).
func bucketKey(root string) []byte {
	if root == "" {
		return unrootedKey
	}
	return usageKey(root)
}

// bumpGen is the op that marks a change of the root set.
func bumpGen() cyrusdb.Op { return cyrusdb.Add{Key: genKey, Deltas: []int64{1}} }

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

// vector reads a counter vector and its version (0 and zeros when absent).
func (s *Store) vector(ctx context.Context, key []byte) ([NumResources]int64, uint64, error) {
	b, ver, err := s.db.Get(ctx, key)
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return [NumResources]int64{}, 0, nil
	}
	if err != nil {
		return [NumResources]int64{}, 0, err
	}
	v, err := decodeVector(b)
	if err != nil {
		return v, 0, fmt.Errorf("quota: %q: %w", key, err)
	}
	return v, ver, nil
}

// generation returns the version of the generation key (0: never bumped).
func (s *Store) generation(ctx context.Context) (uint64, error) {
	_, ver, err := s.db.Get(ctx, genKey)
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return 0, nil
	}
	return ver, err
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
	u, _, err := s.vector(ctx, usageKey(root))
	if err != nil {
		return Root{}, err
	}
	return Root{Name: root, Limits: l, Usage: Usage(u)}, nil
}

// Charged returns what is charged for one mailbox (its own record).
func (s *Store) Charged(ctx context.Context, mailbox string) (Usage, error) {
	u, _, err := s.vector(ctx, mailboxKey(mailbox))
	return Usage(u), err
}

// Set creates root or replaces its limits. As SETQUOTA does, resources not
// given are unlimited: pass NoLimits() with the wanted ones filled in. A new
// root takes over, in the same transaction, what is charged for every
// mailbox it now governs; the transaction is conditioned on the root set
// and on the usage it takes from, so no charge racing with it is lost.
func (s *Store) Set(ctx context.Context, root string, l Limits) error {
	if root == "" {
		return errors.New("quota: empty root name")
	}
	for r, v := range l {
		if v > MaxLimit || v < Unlimited {
			return fmt.Errorf("%w: %s %d (-1 to %d)", ErrBadLimit, Resource(r), v, MaxLimit)
		}
	}
	defer s.roots.forget()
	val := cyrusdb.EncodeCounters(l[:])
	return s.retry(ctx, "setting "+root, func() error {
		err := s.db.Txn(ctx, []cyrusdb.Cond{{Key: limitKey(root), Exists: true}},
			[]cyrusdb.Op{cyrusdb.Put{Key: limitKey(root), Val: val}})
		if !errors.Is(err, cyrusdb.ErrConflict) {
			return err // limits of an existing root replaced (or a real error)
		}
		return s.create(ctx, root, val)
	})
}

// create makes a new root taking over its mailboxes' charges.
func (s *Store) create(ctx context.Context, root string, limits []byte) error {
	gen, err := s.generation(ctx)
	if err != nil {
		return err
	}
	prev, _, err := s.lookupRoot(ctx, parentOf(root))
	if err != nil {
		return err
	}
	_, prevVer, err := s.vector(ctx, bucketKey(prev))
	if err != nil {
		return err
	}
	deeper, err := s.rootNames(ctx, root+".")
	if err != nil {
		return err
	}
	var total Usage
	err = s.scanCharges(ctx, root, func(mailbox string, u Usage, _ uint64) error {
		if governedBy(mailbox, root, deeper) {
			total.add(u, 1)
		}
		return nil
	})
	if err != nil {
		return err
	}
	ops := []cyrusdb.Op{
		cyrusdb.Put{Key: limitKey(root), Val: limits},
		cyrusdb.Put{Key: usageKey(root), Val: cyrusdb.EncodeCounters(total[:])},
		bumpGen(),
	}
	if total != (Usage{}) {
		ops = append(ops, addOp(bucketKey(prev), total, -1))
	}
	return s.db.Txn(ctx, []cyrusdb.Cond{
		{Key: genKey, Version: gen},
		{Key: limitKey(root)},
		{Key: bucketKey(prev), Version: prevVer},
	}, ops)
}

// Remove deletes a root and its usage record; mailboxes beneath fall back to
// the next ancestor root, which takes over the usage in the same transaction.
func (s *Store) Remove(ctx context.Context, root string) error {
	defer s.roots.forget()
	return s.retry(ctx, "removing "+root, func() error {
		gen, err := s.generation(ctx)
		if err != nil {
			return err
		}
		if _, _, err := s.limits(ctx, root); err != nil {
			return err
		}
		used, usedVer, err := s.vector(ctx, usageKey(root))
		if err != nil {
			return err
		}
		up, _, err := s.lookupRoot(ctx, parentOf(root))
		if err != nil {
			return err
		}
		ops := []cyrusdb.Op{cyrusdb.Delete{Key: limitKey(root)}, cyrusdb.Delete{Key: usageKey(root)}, bumpGen()}
		if Usage(used) != (Usage{}) {
			ops = append(ops, addOp(bucketKey(up), Usage(used), 1))
		}
		return s.db.Txn(ctx, []cyrusdb.Cond{
			{Key: genKey, Version: gen},
			{Key: limitKey(root), Exists: true},
			{Key: usageKey(root), Version: usedVer},
		}, ops)
	})
}

// List returns every root whose name starts with prefix, in name order.
func (s *Store) List(ctx context.Context, prefix string) ([]Root, error) {
	var roots []Root
	err := s.db.Scan(ctx, limitKey(prefix), func(k, v []byte, _ uint64) error {
		l, err := decodeVector(v)
		if err != nil {
			return fmt.Errorf("quota: limits of %s: %w", k[len(cyrusdb.PrefixQuotaLimit):], err)
		}
		roots = append(roots, Root{Name: string(k[len(cyrusdb.PrefixQuotaLimit):]), Limits: Limits(l)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range roots {
		u, _, err := s.vector(ctx, usageKey(roots[i].Name))
		if err != nil {
			return nil, err
		}
		roots[i].Usage = Usage(u)
	}
	return roots, nil
}

// rootNames returns the set of roots whose names start with prefix.
func (s *Store) rootNames(ctx context.Context, prefix string) (map[string]bool, error) {
	names := map[string]bool{}
	err := s.db.Scan(ctx, limitKey(prefix), func(k, _ []byte, _ uint64) error {
		names[string(k[len(cyrusdb.PrefixQuotaLimit):])] = true
		return nil
	})
	return names, err
}

// scanCharges calls fn with the charge record of root itself and of every
// mailbox below it (every record when root is "").
func (s *Store) scanCharges(ctx context.Context, root string, fn func(mailbox string, u Usage, ver uint64) error) error {
	return s.db.Scan(ctx, mailboxKey(root), func(k, v []byte, ver uint64) error {
		name := string(k[len(cyrusdb.PrefixQuotaCharge):])
		if root != "" && name != root && !strings.HasPrefix(name, root+".") {
			return nil
		}
		u, err := decodeVector(v)
		if err != nil {
			return fmt.Errorf("quota: charges of %s: %w", name, err)
		}
		return fn(name, Usage(u), ver)
	})
}

// governedBy reports whether root (one of, or above, roots) is the
// nearest root of mailbox, given the roots below root.
func governedBy(mailbox, root string, roots map[string]bool) bool {
	for name := mailbox; name != ""; name = parentOf(name) {
		if name == root {
			return true
		}
		if roots[name] {
			return false
		}
	}
	return root == ""
}

// RootOf returns the root governing mailbox (an internal name): the longest
// root that is the name itself or a hierarchical ancestor.
func (s *Store) RootOf(ctx context.Context, mailbox string) (string, bool, error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return "", false, err
	}
	root, err := s.rootAt(ctx, mailbox, gen)
	return root, root != "", err
}

// rootAt resolves mailbox's root knowing the generation gen was read
// before: through the cache when it holds an answer of that generation.
func (s *Store) rootAt(ctx context.Context, mailbox string, gen uint64) (string, error) {
	if root, g, ok := s.roots.get(mailbox); ok && g == gen {
		return root, nil
	}
	root, _, err := s.lookupRoot(ctx, mailbox)
	if err == nil {
		s.roots.put(mailbox, root, gen)
	}
	return root, err
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
	var box panics.Box // a lookup's panic is raised again here, in the caller
	for i, name := range names[min(1, len(names)):] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer box.Catch()
			_, _, errs[i+1] = s.db.Get(ctx, limitKey(name))
		}()
	}
	if len(names) > 0 {
		_, _, errs[0] = s.db.Get(ctx, limitKey(names[0]))
	}
	wg.Wait()
	box.Rethrow()
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

func (u *Usage) add(d Usage, sign int64) {
	for i := range u {
		u[i] += sign * d[i]
	}
}

func addOp(key []byte, u Usage, sign int64) cyrusdb.Op {
	var d Usage
	d.add(u, sign)
	return cyrusdb.Add{Key: key, Deltas: d[:]}
}

// retry runs one conditioned attempt until its conditions hold.
func (s *Store) retry(ctx context.Context, what string, attempt func() error) error {
	for range maxAttempts {
		err := attempt()
		if !errors.Is(err, cyrusdb.ErrConflict) {
			return err
		}
		s.roots.forget()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return fmt.Errorf("quota: %s: the databases keep changing, giving up", what)
}

// Reservation is usage charged for a mailbox ahead of a change.
type Reservation struct {
	store *Store
	pin   Pin
	delta Usage
	done  bool
}

// Commit keeps the charge.
func (r *Reservation) Commit() error {
	r.done = true
	return nil
}

// Release gives back a charge that was not used. It is a no-op after Commit.
// It goes to the mailbox under its name at the time of the release: a
// mailbox renamed meanwhile took the charge with it, one deleted gave it
// back already.
func (r *Reservation) Release() {
	if r == nil || r.done || r.store == nil {
		return
	}
	r.done = true
	var neg Usage
	neg.add(r.delta, -1)
	// Best effort: a failure leaves usage high, which `quota -f` corrects.
	_, _ = r.store.ReservePinned(context.Background(), r.pin, neg, Ignore)
}

// ErrNoMailbox is what a Pin returns for a mailbox that no longer exists.
var ErrNoMailbox = errors.New("Mailbox does not exist")

// Pinned is the mailbox a charge is for at the moment it is made, with the
// conditions under which that name stays right (its list entry unchanged)
// and any ops that belong in the charge's transaction (the creation of the
// entry itself).
type Pinned struct {
	Mailbox string
	Conds   []cyrusdb.Cond
	Ops     []cyrusdb.Op
}

// Pin resolves the mailbox a charge goes to: a charge transaction carries
// its conditions, so a rename or delete made meanwhile by any process
// fails it and the pin is asked again. A pin returns an error wrapping
// ErrNoMailbox once the mailbox is gone.
type Pin func(ctx context.Context) (Pinned, error)

// NamePin is the pin of a mailbox known only by its name, at no condition.
func NamePin(mailbox string) Pin {
	return func(context.Context) (Pinned, error) { return Pinned{Mailbox: mailbox}, nil }
}

// Charge is ReservePinned kept at once: for a pin whose ops make the
// change itself (a mailbox created with its charge).
func (s *Store) Charge(ctx context.Context, pin Pin, delta Usage, mode Mode) error {
	_, err := s.ReservePinned(ctx, pin, delta, mode)
	return err
}

// Reserve charges delta for mailbox under mode (ReservePinned of the name).
func (s *Store) Reserve(ctx context.Context, mailbox string, delta Usage, mode Mode) (*Reservation, error) {
	return s.ReservePinned(ctx, NamePin(mailbox), delta, mode)
}

// ReservePinned charges delta under mode for the mailbox pin names: to the
// mailbox's own charge record and to the root governing it, in one
// transaction conditioned on the root set it resolved, the limits it read
// and the pin's conditions, so the charge can never go to a root that no
// longer governs the mailbox, to a name the mailbox no longer has, nor miss
// a limit set before it. A refusal is an *OverQuotaError. Giving back for a
// mailbox that is gone (or was never charged) charges nothing; charging one
// fails with the pin's ErrNoMailbox. An empty mailbox name charges nothing.
func (s *Store) ReservePinned(ctx context.Context, pin Pin, delta Usage, mode Mode) (*Reservation, error) {
	var res *Reservation
	err := s.retry(ctx, "charging quota", func() error {
		pinned, err := pin(ctx)
		mailbox := pinned.Mailbox
		if errors.Is(err, ErrNoMailbox) && giveBack(delta) {
			res = &Reservation{done: true} // its deletion gave back everything
			return nil
		}
		if err != nil {
			return err
		}
		if mailbox == "" {
			res = &Reservation{done: true}
			return nil
		}
		gen, root, err := s.speculativeRoot(ctx, mailbox)
		if err != nil {
			return err
		}
		conds := append([]cyrusdb.Cond{{Key: genKey, Version: gen}}, pinned.Conds...)
		if giveBack(delta) {
			// Only what is recorded can be given back: a mailbox
			// forgotten meanwhile (deleted) gave back everything.
			if _, _, err := s.db.Get(ctx, mailboxKey(mailbox)); errors.Is(err, cyrusdb.ErrNotFound) {
				res = &Reservation{done: true}
				return nil
			} else if err != nil {
				return err
			} else {
				conds = append(conds, cyrusdb.Cond{Key: mailboxKey(mailbox), Exists: true})
			}
		}
		lims := NoLimits()
		if root != "" {
			l, ver, err := s.limits(ctx, root)
			if errors.Is(err, ErrNoRoot) {
				return fmt.Errorf("%w: root %s vanished", cyrusdb.ErrConflict, root)
			}
			if err != nil {
				return err
			}
			conds = append(conds, cyrusdb.Cond{Key: limitKey(root), Version: ver})
			if mode != Ignore {
				for i := range lims {
					lims[i] = l.usageLimit(Resource(i))
				}
			}
		}
		err = s.db.Txn(ctx, conds, append([]cyrusdb.Op{
			cyrusdb.Add{Key: mailboxKey(mailbox), Deltas: delta[:]},
			cyrusdb.Add{Key: bucketKey(root), Deltas: delta[:], Limits: lims[:], CheckBefore: mode == Overflow},
		}, pinned.Ops...))
		if errors.Is(err, cyrusdb.ErrLimit) {
			r := Storage
			var le *cyrusdb.LimitError
			if errors.As(err, &le) {
				r = Resource(le.Index)
			}
			return &OverQuotaError{Root: root, Resource: r}
		}
		if err == nil {
			res = &Reservation{store: s, pin: pin, delta: delta, done: len(pinned.Ops) > 0}
		}
		return err
	})
	return res, err
}

// giveBack reports a change that only reduces usage.
func giveBack(d Usage) bool {
	neg := false
	for _, v := range d {
		if v > 0 {
			return false
		}
		neg = neg || v < 0
	}
	return neg
}

// speculativeRoot returns a root for mailbox and the generation a charge
// must be conditioned on: a cached answer without reading anything, else
// one read afresh (the generation first, so a change racing with the
// lookup fails the charge's condition).
func (s *Store) speculativeRoot(ctx context.Context, mailbox string) (uint64, string, error) {
	if root, gen, ok := s.roots.get(mailbox); ok {
		return gen, root, nil
	}
	gen, err := s.generation(ctx)
	if err != nil {
		return 0, "", err
	}
	root, err := s.rootAt(ctx, mailbox, gen)
	return gen, root, err
}

// ForgetTxn returns the conditions and ops that give back everything
// charged for mailboxes being removed and drop their records, for the
// list's delete transaction (mboxlist.Also): exactly once, however many
// processes try.
func (s *Store) ForgetTxn(ctx context.Context, mailboxes []string) ([]cyrusdb.Cond, []cyrusdb.Op, error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, nil, err
	}
	conds := []cyrusdb.Cond{{Key: genKey, Version: gen}}
	var ops []cyrusdb.Op
	for _, m := range mailboxes {
		u, ver, err := s.vector(ctx, mailboxKey(m))
		if err != nil {
			return nil, nil, err
		}
		conds = append(conds, cyrusdb.Cond{Key: mailboxKey(m), Version: ver})
		if ver == 0 {
			continue
		}
		root, err := s.rootAt(ctx, m, gen)
		if err != nil {
			return nil, nil, err
		}
		ops = append(ops, cyrusdb.Delete{Key: mailboxKey(m)}, addOp(bucketKey(root), Usage(u), -1))
	}
	return conds, ops, nil
}

// Forget is ForgetTxn applied by itself.
func (s *Store) Forget(ctx context.Context, mailboxes ...string) error {
	return s.retry(ctx, "releasing quota", func() error {
		conds, ops, err := s.ForgetTxn(ctx, mailboxes)
		if err != nil || len(ops) == 0 {
			return err
		}
		return s.db.Txn(ctx, conds, ops)
	})
}
