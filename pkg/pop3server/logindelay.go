package pop3server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// loginDelayKey is the database key marking a recent POP3 login of a
// mailbox: "pop3login" NUL internal-name. It is written with a TTL of
// popminpoll, so its mere presence means "too soon".
func loginDelayKey(mailbox string) []byte {
	return append([]byte(cyrusdb.PrefixPOP3Login), mailbox...)
}

// claimLogin enforces popminpoll: it records a login of mailbox unless one
// happened less than minPoll ago, atomically across processes. The
// refusal is a *loginError with Cyrus's [LOGIN-DELAY] text.
func claimLogin(ctx context.Context, db cyrusdb.DB, mailbox string, minPoll time.Duration) error {
	if minPoll <= 0 {
		return nil
	}
	key := loginDelayKey(mailbox)
	stamp := strconv.AppendInt(nil, time.Now().Unix(), 10)
	err := db.Txn(ctx, []cyrusdb.Cond{{Key: key}}, []cyrusdb.Op{cyrusdb.Put{Key: key, Val: stamp, TTL: minPoll}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		minutes := int((minPoll + time.Minute - 1) / time.Minute)
		return &loginError{fmt.Sprintf("-ERR [LOGIN-DELAY] Logins must be at least %d minute%s apart", minutes, plural(minutes)), err}
	}
	if err != nil {
		return &loginError{"-ERR [SYS/TEMP] Unable to open maildrop: System I/O error", err}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
