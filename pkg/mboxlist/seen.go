package mboxlist

import (
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
	var s Seen
	b, _, err := l.db.Get(ctx, seenKey(user, uniqueid))
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("mboxlist: seen state of %s for %s is damaged: %w", uniqueid, user, err)
	}
	return s, nil
}

// SetSeen stores user's seen state of the mailbox with uniqueid.
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
