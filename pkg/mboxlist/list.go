package mboxlist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gocyrus/pkg/cyrusdb"
)

var (
	// ErrNotFound: no mailbox of that name.
	ErrNotFound = errors.New("Mailbox does not exist")
	// ErrExists: the name is taken.
	ErrExists = errors.New("Mailbox already exists")
	// ErrChanged: the list changed under a multi-entry operation; nothing was written.
	ErrChanged = errors.New("mailbox list changed during the operation, nothing done; try again")
)

// List is the mailbox list over the databases.
type List struct {
	db cyrusdb.DB
}

// New returns the list kept in db.
func New(db cyrusdb.DB) *List { return &List{db: db} }

// DB returns the databases the list lives in.
func (l *List) DB() cyrusdb.DB { return l.db }

// Lookup returns the entry of an internal name.
func (l *List) Lookup(ctx context.Context, name string) (*Entry, error) {
	e, _, err := l.lookup(ctx, name)
	return e, err
}

func (l *List) lookup(ctx context.Context, name string) (*Entry, uint64, error) {
	b, ver, err := l.db.Get(ctx, nameKey(name))
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, 0, err
	}
	e, err := decodeEntry(b)
	if err != nil {
		return nil, 0, fmt.Errorf("mboxlist: entry %s is damaged: %w", name, err)
	}
	return e, ver, nil
}

// Create adds e; it fails with ErrExists when the name is taken.
func (l *List) Create(ctx context.Context, e *Entry) error {
	if e.MTime == 0 {
		e.MTime = time.Now().Unix()
	}
	b, err := encodeEntry(e)
	if err != nil {
		return err
	}
	err = l.db.Txn(ctx, []cyrusdb.Cond{{Key: nameKey(e.Name), Version: 0}},
		[]cyrusdb.Op{cyrusdb.Put{Key: nameKey(e.Name), Val: b}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return fmt.Errorf("%w: %s", ErrExists, e.Name)
	}
	return err
}

// Update rewrites an existing entry (ACL, partition, special-use, ...).
func (l *List) Update(ctx context.Context, e *Entry) error {
	b, err := encodeEntry(e)
	if err != nil {
		return err
	}
	err = l.db.Txn(ctx, []cyrusdb.Cond{{Key: nameKey(e.Name), Exists: true}},
		[]cyrusdb.Op{cyrusdb.Put{Key: nameKey(e.Name), Val: b}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return fmt.Errorf("%w: %s", ErrNotFound, e.Name)
	}
	return err
}

// Modify applies fn to the current entry and writes the result only if
// nobody changed the entry meanwhile (retrying a few times if they did).
func (l *List) Modify(ctx context.Context, name string, fn func(*Entry) error) (*Entry, error) {
	for attempt := 0; attempt < 8; attempt++ {
		e, ver, err := l.lookup(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := fn(e); err != nil {
			return nil, err
		}
		b, err := encodeEntry(e)
		if err != nil {
			return nil, err
		}
		err = l.db.Txn(ctx, []cyrusdb.Cond{{Key: nameKey(name), Version: ver}},
			[]cyrusdb.Op{cyrusdb.Put{Key: nameKey(name), Val: b}})
		if errors.Is(err, cyrusdb.ErrConflict) {
			continue
		}
		return e, err
	}
	return nil, ErrChanged
}

// Walk calls fn for name (when it exists) and every mailbox below it, in
// list order; name "" walks the whole list.
func (l *List) Walk(ctx context.Context, name string, fn func(*Entry) error) error {
	if name != "" {
		e, err := l.Lookup(ctx, name)
		switch {
		case err == nil:
			if err := fn(e); err != nil {
				return err
			}
		case !errors.Is(err, ErrNotFound):
			return err
		}
		return l.scan(ctx, childPrefix(name), func(e *Entry, _ uint64) error { return fn(e) })
	}
	return l.scan(ctx, []byte(cyrusdb.PrefixMailbox), func(e *Entry, _ uint64) error { return fn(e) })
}

func (l *List) scan(ctx context.Context, prefix []byte, fn func(*Entry, uint64) error) error {
	return l.db.Scan(ctx, prefix, func(k, v []byte, ver uint64) error {
		e, err := decodeEntry(v)
		if err != nil {
			return fmt.Errorf("mboxlist: entry %s is damaged: %w", nameFromKey(k), err)
		}
		return fn(e, ver)
	})
}

// HasChildren reports whether any mailbox lies below name.
func (l *List) HasChildren(ctx context.Context, name string) (bool, error) {
	found := errors.New("found")
	err := l.db.Scan(ctx, childPrefix(name), func(_, _ []byte, _ uint64) error { return found })
	if errors.Is(err, found) {
		return true, nil
	}
	return false, err
}

// Delete removes name, and with recursive every mailbox below it, in one
// transaction. It returns the removed entries.
func (l *List) Delete(ctx context.Context, name string, recursive bool) ([]*Entry, error) {
	return l.DeleteWith(ctx, name, recursive, nil)
}

// Also returns conditions and ops that belong in the same transaction as
// a list change (the quota records of the mailboxes it moves or removes),
// computed from the entries it changes. A condition of its failing makes
// the change be planned again.
type Also func(ctx context.Context, old, new []string) ([]cyrusdb.Cond, []cyrusdb.Op, error)

// alsoAttempts bounds the re-planning of a change whose Also conditions
// keep failing because other processes change the same records.
const alsoAttempts = 100

// DeleteWith is Delete with also's conditions and ops in its transaction
// (new names are nil).
func (l *List) DeleteWith(ctx context.Context, name string, recursive bool, also Also) ([]*Entry, error) {
	for attempt := 0; ; attempt++ {
		removed, err := l.deleteOnce(ctx, name, recursive, also)
		if also == nil || !errors.Is(err, ErrChanged) || attempt >= alsoAttempts {
			return removed, err
		}
	}
}

func (l *List) deleteOnce(ctx context.Context, name string, recursive bool, also Also) ([]*Entry, error) {
	e, ver, err := l.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	removed := []*Entry{e}
	conds := []cyrusdb.Cond{{Key: nameKey(name), Version: ver}}
	ops := []cyrusdb.Op{cyrusdb.Delete{Key: nameKey(name)}}
	if recursive {
		err := l.scan(ctx, childPrefix(name), func(c *Entry, v uint64) error {
			removed = append(removed, c)
			conds = append(conds, cyrusdb.Cond{Key: nameKey(c.Name), Version: v})
			ops = append(ops, cyrusdb.Delete{Key: nameKey(c.Name)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if also != nil {
		names := make([]string, len(removed))
		for i, r := range removed {
			names[i] = r.Name
		}
		c, o, err := also(ctx, names, nil)
		if err != nil {
			return nil, err
		}
		conds, ops = append(conds, c...), append(ops, o...)
	}
	if err := l.db.Txn(ctx, conds, ops); err != nil {
		if errors.Is(err, cyrusdb.ErrConflict) {
			return nil, ErrChanged
		}
		return nil, err
	}
	return removed, nil
}

// Renamed is one entry moved by Rename.
type Renamed struct {
	Old, New *Entry
}

// Rename moves oldName and its whole subtree to newName in one transaction,
// recording the old names in each entry's history. newPartition, when not
// empty, becomes the partition of every moved entry (the caller moves the
// spool directories). Every target name must be free.
func (l *List) Rename(ctx context.Context, oldName, newName, newPartition string) ([]Renamed, error) {
	return l.rename(ctx, oldName, newName, newPartition, true, nil)
}

// RenameWith is Rename (subtree) or RenameOne with also's conditions and
// ops in its transaction.
func (l *List) RenameWith(ctx context.Context, oldName, newName, newPartition string, subtree bool, also Also) ([]Renamed, error) {
	for attempt := 0; ; attempt++ {
		moved, err := l.rename(ctx, oldName, newName, newPartition, subtree, also)
		if also == nil || !errors.Is(err, ErrChanged) || attempt >= alsoAttempts {
			return moved, err
		}
	}
}

// RenameOne moves oldName alone to newName, leaving any mailboxes below it
// where they are (a delayed delete moves each mailbox of a tree by itself).
func (l *List) RenameOne(ctx context.Context, oldName, newName string) (Renamed, error) {
	moved, err := l.rename(ctx, oldName, newName, "", false, nil)
	if err != nil {
		return Renamed{}, err
	}
	return moved[0], nil
}

func (l *List) rename(ctx context.Context, oldName, newName, newPartition string, subtree bool, also Also) ([]Renamed, error) {
	root, ver, err := l.lookup(ctx, oldName)
	if err != nil {
		return nil, err
	}
	type item struct {
		e   *Entry
		ver uint64
	}
	items := []item{{root, ver}}
	if subtree && oldName != newName {
		err = l.scan(ctx, childPrefix(oldName), func(c *Entry, v uint64) error {
			items = append(items, item{c, v})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	now := time.Now().Unix()
	var conds []cyrusdb.Cond
	var ops []cyrusdb.Op
	var moved []Renamed
	for _, it := range items {
		n := it.e.clone()
		n.Name = newName + it.e.Name[len(oldName):]
		if newPartition != "" {
			n.Partition = newPartition
		}
		if n.Name != it.e.Name {
			h, _ := json.Marshal(map[string]string{
				"name": it.e.Name, "mtime": fmt.Sprint(now),
				"uidvalidity": fmt.Sprint(it.e.UIDValidity), "partition": it.e.Partition,
			})
			n.NameHistory = append(n.NameHistory, h)
		}
		n.MTime = now
		b, err := encodeEntry(n)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cyrusdb.Cond{Key: nameKey(it.e.Name), Version: it.ver})
		if n.Name != it.e.Name {
			conds = append(conds, cyrusdb.Cond{Key: nameKey(n.Name), Version: 0})
			ops = append(ops, cyrusdb.Delete{Key: nameKey(it.e.Name)})
		}
		ops = append(ops, cyrusdb.Put{Key: nameKey(n.Name), Val: b})
		moved = append(moved, Renamed{Old: it.e, New: n})
	}
	if also != nil {
		var olds, news []string
		for _, m := range moved {
			if m.Old.Name != m.New.Name {
				olds, news = append(olds, m.Old.Name), append(news, m.New.Name)
			}
		}
		c, o, err := also(ctx, olds, news)
		if err != nil {
			return nil, err
		}
		conds, ops = append(conds, c...), append(ops, o...)
	}
	if err := l.db.Txn(ctx, conds, ops); err != nil {
		if errors.Is(err, cyrusdb.ErrConflict) {
			// Either a target exists or the tree changed: tell which.
			for _, m := range moved {
				if m.New.Name == m.Old.Name {
					continue
				}
				if _, _, err := l.db.Get(ctx, nameKey(m.New.Name)); err == nil {
					return nil, fmt.Errorf("%w: %s", ErrExists, m.New.Name)
				}
			}
			return nil, ErrChanged
		}
		return nil, err
	}
	return moved, nil
}

// CheckResult is what Check found.
type CheckResult struct {
	Entries int
	Damaged []string // "name: reason" for entries that cannot be read
}

// Check reads every entry of the list and reports those that cannot be
// decoded or carry an invalid name (ctl_cyrusdb -r).
func (l *List) Check(ctx context.Context) (CheckResult, error) {
	var res CheckResult
	err := l.db.Scan(ctx, []byte(cyrusdb.PrefixMailbox), func(k, v []byte, _ uint64) error {
		res.Entries++
		name := nameFromKey(k)
		e, err := decodeEntry(v)
		switch {
		case err != nil:
			res.Damaged = append(res.Damaged, fmt.Sprintf("%s: %v", name, err))
		case e.Name != name:
			res.Damaged = append(res.Damaged, fmt.Sprintf("%s: entry names itself %q", name, e.Name))
		}
		return nil
	})
	return res, err
}
