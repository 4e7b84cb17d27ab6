package mboxlist

import (
	"bytes"
	"context"

	"gocyrus/pkg/cyrusdb"
)

// Subscriptions are per user: key "S" + userid + NUL + internal name.

func subKey(user, mailbox string) []byte {
	k := make([]byte, 0, 2+len(user)+len(mailbox))
	k = append(k, cyrusdb.PrefixSubscription...)
	k = append(k, user...)
	k = append(k, 0)
	return append(k, mailbox...)
}

// Subscribe records that user subscribes to mailbox (an internal name).
func (l *List) Subscribe(ctx context.Context, user, mailbox string) error {
	return l.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: subKey(user, mailbox)}})
}

// Unsubscribe removes a subscription; removing an absent one is not an error.
func (l *List) Unsubscribe(ctx context.Context, user, mailbox string) error {
	return l.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Delete{Key: subKey(user, mailbox)}})
}

// Subscriptions lists user's subscriptions in name order.
func (l *List) Subscriptions(ctx context.Context, user string) ([]string, error) {
	prefix := subKey(user, "")
	var names []string
	err := l.db.Scan(ctx, prefix, func(k, _ []byte, _ uint64) error {
		names = append(names, string(k[len(prefix):]))
		return nil
	})
	return names, err
}

// DeleteSubscriptions drops every subscription of user (when the user is deleted).
func (l *List) DeleteSubscriptions(ctx context.Context, user string) error {
	return l.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.DeletePrefix{Prefix: subKey(user, "")}})
}

// WalkSubscriptions calls fn with every subscription of every user, in
// key order (user, then mailbox): the readership report (arbitron).
func (l *List) WalkSubscriptions(ctx context.Context, fn func(user, mailbox string) error) error {
	prefix := []byte(cyrusdb.PrefixSubscription)
	return l.db.Scan(ctx, prefix, func(k, _ []byte, _ uint64) error {
		user, mailbox, ok := bytes.Cut(k[len(prefix):], []byte{0})
		if !ok {
			return nil
		}
		return fn(string(user), string(mailbox))
	})
}
