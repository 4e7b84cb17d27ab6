package mboxlist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gocyrus/pkg/cyrusdb"
)

// Seen is one user's seen state of one mailbox, kept for mailboxes the user
// does not own (the owner's \Seen lives in the mailbox index, as in Cyrus).
// Key: "N" + userid + NUL + mailbox uniqueid.
type Seen struct {
	LastRead   int64  `json:"lastread"`   // unix time of the last change by this user
	LastUID    uint32 `json:"lastuid"`    // highest UID the user had seen reported
	LastChange int64  `json:"lastchange"` // unix time of the last change
	SeenUIDs   string `json:"seenuids"`   // IMAP sequence set of the seen UIDs
}

func seenKey(user, uniqueid string) []byte {
	k := make([]byte, 0, 2+len(user)+len(uniqueid))
	k = append(k, cyrusdb.PrefixSeen...)
	k = append(k, user...)
	k = append(k, 0)
	return append(k, uniqueid...)
}

// GetSeen returns user's seen state of the mailbox with uniqueid; a user
// who never read it has the zero Seen.
func (l *List) GetSeen(ctx context.Context, user, uniqueid string) (Seen, error) {
	s, _, err := l.getSeen(ctx, user, uniqueid)
	return s, err
}

// getSeen is GetSeen with the record's version (0: no record).
func (l *List) getSeen(ctx context.Context, user, uniqueid string) (Seen, uint64, error) {
	var s Seen
	b, ver, err := l.db.Get(ctx, seenKey(user, uniqueid))
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return s, 0, nil
	}
	if err != nil {
		return s, 0, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, 0, fmt.Errorf("mboxlist: seen state of %s for %s is damaged: %w", uniqueid, user, err)
	}
	return s, ver, nil
}

// seenAttempts bounds UpdateSeen's retries. Every session of a user
// writes the record (\Recent claims, \Seen changes), so under a burst a
// few rounds are lost to conflicts; each round is one read and one write.
const seenAttempts = 100

// UpdateSeen applies fn to user's current seen state of the mailbox with
// uniqueid and stores the result only if nobody wrote the record
// meanwhile, retrying with the fresh record if somebody did: concurrent
// updates from any process never lose each other's changes, and a claim
// made by fn (the \Recent claim on LastUID) is made by exactly one
// caller. fn returns false to leave the record as it is; it may run more
// than once, so it must depend only on the record it is given. UpdateSeen
// returns the record as stored (or as read, when fn declined).
func (l *List) UpdateSeen(ctx context.Context, user, uniqueid string, fn func(*Seen) (bool, error)) (Seen, error) {
	key := seenKey(user, uniqueid)
	for range seenAttempts {
		s, ver, err := l.getSeen(ctx, user, uniqueid)
		if err != nil {
			return s, err
		}
		write, err := fn(&s)
		if err != nil || !write {
			return s, err
		}
		b, err := json.Marshal(s)
		if err != nil {
			return s, err
		}
		err = l.db.Txn(ctx, []cyrusdb.Cond{{Key: key, Version: ver}},
			[]cyrusdb.Op{cyrusdb.Put{Key: key, Val: b}})
		if errors.Is(err, cyrusdb.ErrConflict) {
			continue
		}
		if err != nil {
			return Seen{}, err
		}
		return s, nil
	}
	return Seen{}, fmt.Errorf("mboxlist: seen state of %s for %s: %w", uniqueid, user, ErrChanged)
}

// SetSeen stores user's seen state of the mailbox with uniqueid,
// replacing whatever is there (tests and tools; sessions use UpdateSeen).
func (l *List) SetSeen(ctx context.Context, user, uniqueid string, s Seen) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return l.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: seenKey(user, uniqueid), Val: b}})
}

// DeleteSeen drops every seen record of user (when the user is deleted).
func (l *List) DeleteSeen(ctx context.Context, user string) error {
	return l.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.DeletePrefix{Prefix: seenKey(user, "")}})
}

// WalkSeen calls fn with every seen record of every user, in key order
// (user, then uniqueid): the readership report (arbitron). A damaged
// record is reported to fn as an error-free zero Seen with damaged true,
// so one bad record does not hide the others.
func (l *List) WalkSeen(ctx context.Context, fn func(user, uniqueid string, s Seen, damaged bool) error) error {
	prefix := []byte(cyrusdb.PrefixSeen)
	return l.db.Scan(ctx, prefix, func(k, v []byte, _ uint64) error {
		user, uniqueid, ok := bytes.Cut(k[len(prefix):], []byte{0})
		if !ok {
			return nil // not a seen key of ours: left alone
		}
		var s Seen
		damaged := json.Unmarshal(v, &s) != nil
		if damaged {
			s = Seen{}
		}
		return fn(string(user), string(uniqueid), s, damaged)
	})
}

// DeleteSeenRecord drops user's seen record of the mailbox with uniqueid
// (arbitron -p); an absent record is not an error.
func (l *List) DeleteSeenRecord(ctx context.Context, user, uniqueid string) error {
	return l.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Delete{Key: seenKey(user, uniqueid)}})
}
