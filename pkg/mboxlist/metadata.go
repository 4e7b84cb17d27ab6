package mboxlist

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gocyrus/pkg/cyrusdb"
)

// Metadata (RFC 5464 / Cyrus annotations) per mailbox, entry and owner:
// key "A" + mailbox + NUL + entry + NUL + userid, where userid is "" for a
// shared value (/shared/...) and the mailbox "" holds server metadata.

// MaxMetadataSize bounds one value.
const MaxMetadataSize = 1 << 20

// ErrBadMetadata matches (errors.Is) the refusal of an entry name or a
// value size; the message stays the one peers are shown.
var ErrBadMetadata = errors.New("bad metadata entry or value")

type metadataError string

func (e metadataError) Error() string        { return string(e) }
func (e metadataError) Is(target error) bool { return target == ErrBadMetadata }

func metaKey(mailbox, entry, user string) []byte {
	k := make([]byte, 0, 3+len(mailbox)+len(entry)+len(user))
	k = append(k, cyrusdb.PrefixMetadata...)
	k = append(k, mailbox...)
	k = append(k, 0)
	k = append(k, entry...)
	k = append(k, 0)
	return append(k, user...)
}

func validEntry(entry string) error {
	if !strings.HasPrefix(entry, "/") || strings.ContainsAny(entry, "\x00*%") || strings.HasSuffix(entry, "/") ||
		strings.Contains(entry, "//") {
		return metadataError(fmt.Sprintf("invalid metadata entry name %q", entry))
	}
	return nil
}

// GetMetadata returns a value, or nil when it is not set.
func (l *List) GetMetadata(ctx context.Context, mailbox, entry, user string) ([]byte, error) {
	b, _, err := l.db.Get(ctx, metaKey(mailbox, entry, user))
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

// SetMetadata sets a value; a nil value removes it.
func (l *List) SetMetadata(ctx context.Context, mailbox, entry, user string, value []byte) error {
	_, _, op, err := l.SetMetadataTxn(ctx, mailbox, entry, user, value)
	if err != nil {
		return err
	}
	return l.db.Txn(ctx, nil, []cyrusdb.Op{op})
}

// SetMetadataTxn returns what setting a value (nil removes it) takes, for
// a transaction that does more (its quota charge): the value it replaces
// (nil when none), the condition that it is still that value, and the op.
func (l *List) SetMetadataTxn(ctx context.Context, mailbox, entry, user string, value []byte) ([]byte, cyrusdb.Cond, cyrusdb.Op, error) {
	if err := validEntry(entry); err != nil {
		return nil, cyrusdb.Cond{}, nil, err
	}
	if len(value) > MaxMetadataSize {
		return nil, cyrusdb.Cond{}, nil, metadataError(fmt.Sprintf("metadata value of %d bytes is over the %d byte limit", len(value), MaxMetadataSize))
	}
	key := metaKey(mailbox, entry, user)
	old, ver, err := l.db.Get(ctx, key)
	if errors.Is(err, cyrusdb.ErrNotFound) {
		old, ver, err = nil, 0, nil
	}
	if err != nil {
		return nil, cyrusdb.Cond{}, nil, err
	}
	cond := cyrusdb.Cond{Key: key, Version: ver}
	if value == nil {
		return old, cond, cyrusdb.Delete{Key: key}, nil
	}
	return old, cond, cyrusdb.Put{Key: key, Val: value}, nil
}

// MetadataEntry is one stored value.
type MetadataEntry struct {
	Entry, User string
	Value       []byte
}

// ListMetadata returns the values of a mailbox whose entry is under prefix
// (prefix itself included; "" = all), for user's private values and the
// shared ones.
func (l *List) ListMetadata(ctx context.Context, mailbox, prefix, user string) ([]MetadataEntry, error) {
	base := append(append([]byte(cyrusdb.PrefixMetadata), mailbox...), 0)
	var out []MetadataEntry
	err := l.db.Scan(ctx, append(base, prefix...), func(k, v []byte, _ uint64) error {
		rest := string(k[len(base):])
		i := strings.IndexByte(rest, 0)
		if i < 0 {
			return nil
		}
		entry, owner := rest[:i], rest[i+1:]
		if prefix != "" && entry != prefix && !strings.HasPrefix(entry, prefix+"/") {
			return nil
		}
		if owner != "" && owner != user {
			return nil
		}
		out = append(out, MetadataEntry{Entry: entry, User: owner, Value: append([]byte(nil), v...)})
		return nil
	})
	return out, err
}

// DeleteMetadata drops every value of a mailbox (when it is deleted).
func (l *List) DeleteMetadata(ctx context.Context, mailbox string) error {
	return l.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.DeletePrefix{Prefix: append(append([]byte(cyrusdb.PrefixMetadata), mailbox...), 0)}})
}

// RenameMetadata moves every value (all owners) of mailbox oldName to
// newName in one transaction.
func (l *List) RenameMetadata(ctx context.Context, oldName, newName string) error {
	conds, ops, err := l.RenameMetadataTxn(ctx, []string{oldName}, []string{newName})
	if err != nil || len(ops) == 0 {
		return err
	}
	return l.db.Txn(ctx, conds, ops)
}

// RenameMetadataTxn returns the conditions and ops that move every value
// (all owners) of each mailbox olds[i] to news[i], for the list's rename
// transaction (Also): conditioned on each value moved being unchanged, so
// the values move with the entries or not at all.
func (l *List) RenameMetadataTxn(ctx context.Context, olds, news []string) ([]cyrusdb.Cond, []cyrusdb.Op, error) {
	var conds []cyrusdb.Cond
	var ops []cyrusdb.Op
	for i, oldName := range olds {
		newName := news[i]
		if oldName == newName {
			continue
		}
		base := append(append([]byte(cyrusdb.PrefixMetadata), oldName...), 0)
		err := l.db.Scan(ctx, base, func(k, v []byte, ver uint64) error {
			rest := k[len(base):]
			nk := append(append(append([]byte(cyrusdb.PrefixMetadata), newName...), 0), rest...)
			ok := append([]byte(nil), k...)
			conds = append(conds, cyrusdb.Cond{Key: ok, Version: ver})
			ops = append(ops, cyrusdb.Delete{Key: ok}, cyrusdb.Put{Key: nk, Val: append([]byte(nil), v...)})
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return conds, ops, nil
}

// MetadataBytes is the size of every value (all owners) of a mailbox: what
// it charges to the X-ANNOTATION-STORAGE of its quota root.
func (l *List) MetadataBytes(ctx context.Context, mailbox string) (int64, error) {
	var n int64
	err := l.db.Scan(ctx, append(append([]byte(cyrusdb.PrefixMetadata), mailbox...), 0), func(_, v []byte, _ uint64) error {
		n += int64(len(v))
		return nil
	})
	return n, err
}

// MetadataKey names one stored value.
type MetadataKey struct {
	Mailbox, Entry, User string
}

// PrivateMetadataOf returns the keys of every private value user owns, on
// any mailbox and on the server (mailbox ""). Values are keyed by mailbox
// first, so this reads all metadata: it is for the rare deletion of a user.
func (l *List) PrivateMetadataOf(ctx context.Context, user string) ([]MetadataKey, error) {
	if user == "" {
		return nil, nil // "" owns the shared values
	}
	var out []MetadataKey
	err := l.db.Scan(ctx, []byte(cyrusdb.PrefixMetadata), func(k, _ []byte, _ uint64) error {
		parts := strings.SplitN(string(k[len(cyrusdb.PrefixMetadata):]), "\x00", 3)
		if len(parts) == 3 && parts[2] == user {
			out = append(out, MetadataKey{Mailbox: parts[0], Entry: parts[1], User: parts[2]})
		}
		return nil
	})
	return out, err
}

// MetadataMailboxes returns the distinct mailboxes at or below name that
// hold metadata values, whether or not they are in the list (values left
// by a deletion that was interrupted).
func (l *List) MetadataMailboxes(ctx context.Context, name string) ([]string, error) {
	var out []string
	err := l.db.Scan(ctx, append([]byte(cyrusdb.PrefixMetadata), name...), func(k, _ []byte, _ uint64) error {
		mbox, _, ok := strings.Cut(string(k[len(cyrusdb.PrefixMetadata):]), "\x00")
		if !ok || (mbox != name && !strings.HasPrefix(mbox, name+".")) {
			return nil
		}
		if len(out) == 0 || out[len(out)-1] != mbox {
			out = append(out, mbox)
		}
		return nil
	})
	return out, err
}
