package tlsconf

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"time"
)

// maxSessionLifetime is Cyrus's ceiling for tls_session_timeout.
const maxSessionLifetime = 24 * time.Hour

// issuedTag marks the entry of SessionState.Extra holding when the session
// was first established, as unix seconds.
var issuedTag = []byte("gocyrus-issued:")

// limitSessionLifetime applies tls_session_timeout to session resumption.
// gocyrus resumes sessions with stateless tickets, so there is no
// tls_sessions.db to prune: each ticket carries the time it was issued,
// and one older than timeout is refused, which makes the client do a full
// handshake (as with OpenSSL's tickets, a resumption issues a fresh one).
// A timeout of zero disables resumption.
func limitSessionLifetime(tc *tls.Config, timeout time.Duration, now func() time.Time) {
	if timeout <= 0 {
		tc.SessionTicketsDisabled = true
		return
	}
	timeout = min(timeout, maxSessionLifetime)
	tc.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		ss.Extra = append(ss.Extra, issuedEntry(now()))
		return tc.EncryptTicket(cs, ss)
	}
	tc.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := tc.DecryptTicket(identity, cs)
		if err != nil || ss == nil {
			return nil, err
		}
		issued, ok := issuedAt(ss.Extra)
		if !ok || now().Sub(issued) > timeout {
			return nil, nil // not resumable: a full handshake follows
		}
		return ss, nil
	}
}

func issuedEntry(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), issuedTag...), uint64(t.Unix()))
}

func issuedAt(extra [][]byte) (time.Time, bool) {
	for _, e := range extra {
		if v, ok := bytes.CutPrefix(e, issuedTag); ok && len(v) == 8 {
			return time.Unix(int64(binary.BigEndian.Uint64(v)), 0), true
		}
	}
	return time.Time{}, false
}
