package store

import (
	"context"

	"gocyrus/pkg/cyrusdb"
)

// URLAuthKeyName is the database key of userid's URLAUTH access key for
// the mailbox with uniqueid (RFC 4467; imapd's GENURLAUTH makes it,
// RESETKEY drops it). The layout lives here, beside DeleteUser, so that
// the deletion of a user drops exactly what imapd wrote.
func URLAuthKeyName(userid, uniqueid string) []byte {
	return []byte(cyrusdb.PrefixURLAuthKey + userid + "\x00" + uniqueid)
}

// ResetURLAuthKeys drops every URLAUTH key of userid (RESETKEY without a
// mailbox, and DeleteUser): each URL made with them stops working.
func (s *Store) ResetURLAuthKeys(ctx context.Context, userid string) error {
	// The NUL ending the userid keeps "bob" from matching "bobby"'s keys.
	return s.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.DeletePrefix{Prefix: URLAuthKeyName(userid, "")}})
}
