package userdeny

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/cyrusdb"
)

// Topic is published after every change of the list. It begins with a
// byte no mailbox name has, so no mailbox's topic covers it.
const Topic = "\x01userdeny"

func key(user string) []byte { return []byte(cyrusdb.PrefixUserDeny + user) }

// Set denies user the services (comma-separated wildmat patterns, "" for
// "*") with message ("" for DefaultMessage), replacing any earlier entry.
func Set(ctx context.Context, db cyrusdb.DB, user, services, message string) error {
	if services == "" {
		services = "*"
	}
	if message == "" {
		message = DefaultMessage
	}
	e := Entry{User: user, Services: services, Message: message}
	if err := validate(e); err != nil {
		return err
	}
	if err := db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: key(user), Val: format(e)}}); err != nil {
		return fmt.Errorf("userdeny: storing the entry of %s: %w", user, err)
	}
	return publish(ctx, db)
}

// Delete allows user every service again; no entry is not an error.
func Delete(ctx context.Context, db cyrusdb.DB, user string) error {
	if err := db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Delete{Key: key(user)}}); err != nil {
		return fmt.Errorf("userdeny: removing the entry of %s: %w", user, err)
	}
	return publish(ctx, db)
}

// publish wakes the daemons' Guards; the change itself is already durable.
func publish(ctx context.Context, db cyrusdb.DB) error {
	if err := db.Publish(ctx, Topic); err != nil {
		return fmt.Errorf("userdeny: telling the daemons: %w", err)
	}
	return nil
}

// List calls fn with every entry in userid order. A record that does not
// parse is passed to bad (when not nil) and skipped, as Cyrus's foreach
// skips it.
func List(ctx context.Context, db cyrusdb.DB, fn func(Entry) error, bad func(user string, err error)) error {
	return db.Scan(ctx, []byte(cyrusdb.PrefixUserDeny), func(k, v []byte, _ uint64) error {
		user := string(k[len(cyrusdb.PrefixUserDeny):])
		e, err := parse(user, v)
		if err != nil {
			if bad != nil {
				bad(user, err)
			}
			return nil
		}
		return fn(e)
	})
}

// Lookup returns user's entry; found is false when there is none.
func Lookup(ctx context.Context, db cyrusdb.DB, user string) (e Entry, found bool, err error) {
	v, _, err := db.Get(ctx, key(user))
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("userdeny: reading the entry of %s: %w", user, err)
	}
	e, err = parse(user, v)
	if err != nil {
		return Entry{}, false, err
	}
	return e, true, nil
}
