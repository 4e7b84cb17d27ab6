package mboxlist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// LookupVersion returns the entry of name and the version of its key, for
// a transaction elsewhere that must hold only while the entry is unchanged
// (EntryCond).
func (l *List) LookupVersion(ctx context.Context, name string) (*Entry, uint64, error) {
	return l.lookup(ctx, name)
}

// EntryCond is the condition that name's entry is still the one read at
// version ver: a rename or delete of the mailbox meanwhile fails it.
func EntryCond(name string, ver uint64) cyrusdb.Cond {
	return cyrusdb.Cond{Key: nameKey(name), Version: ver}
}

// FindUniqueID returns the entry of the mailbox whose uniqueid is id and
// its version (ErrNotFound when none is). It scans the whole list, so it
// is for the rare case of a mailbox renamed while a process held it open.
func (l *List) FindUniqueID(ctx context.Context, id string) (*Entry, uint64, error) {
	if id == "" {
		return nil, 0, fmt.Errorf("%w: empty uniqueid", ErrNotFound)
	}
	var found *Entry
	var foundVer uint64
	stop := errors.New("found")
	needle := []byte(id)
	err := l.db.Scan(ctx, []byte(cyrusdb.PrefixMailbox), func(k, v []byte, ver uint64) error {
		if !bytes.Contains(v, needle) {
			return nil
		}
		e, err := decodeEntry(v)
		if err != nil || e.UniqueID != id || e.IsDeleted() {
			return nil // a damaged entry is not the one we look for
		}
		found, foundVer = e, ver
		return stop
	})
	if errors.Is(err, stop) {
		return found, foundVer, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return nil, 0, fmt.Errorf("%w: uniqueid %s", ErrNotFound, id)
}

// CreateTxn returns the condition (the name is free) and op that create e,
// for a transaction that creates the entry together with other changes
// (its quota charge).
func CreateTxn(e *Entry) (cyrusdb.Cond, cyrusdb.Op, error) {
	if e.MTime == 0 {
		e.MTime = time.Now().Unix()
	}
	b, err := encodeEntry(e)
	if err != nil {
		return cyrusdb.Cond{}, nil, err
	}
	return cyrusdb.Cond{Key: nameKey(e.Name), Version: 0}, cyrusdb.Put{Key: nameKey(e.Name), Val: b}, nil
}
