package imapserver

import (
	"slices"
	"strconv"
	"strings"
)

// baseCapabilities are the extensions this server implements, in Cyrus
// 3.6's order (docs/CYRUS-BEHAVIOUR.md §11.2) so that a capability diff against real
// Cyrus reads easily. Only what is implemented is listed. IMAP4rev2 takes
// effect once the client ENABLEs it (RFC 9051 §6.3.1; rev2.go).
var baseCapabilities = []string{
	"IMAP4rev1", "IMAP4rev2", "LITERAL+", "ID", "ENABLE", "ACL", "BINARY", "CATENATE", "CHILDREN", "CONDSTORE",
	"CREATE-SPECIAL-USE", "ESEARCH", "LIST-EXTENDED", "LIST-STATUS", "METADATA", "METADATA-SERVER", "MOVE", "MULTIAPPEND",
	"NAMESPACE", "NOTIFY", "OBJECTID", "PREVIEW", "QRESYNC", "QUOTA", "RIGHTS=kxten", "SAVEDATE", "SORT", "SPECIAL-USE", "STATUS=SIZE", "THREAD=ORDEREDSUBJECT",
	"THREAD=REFERENCES", "UIDPLUS", "UNSELECT", "URLAUTH", "URLAUTH=BINARY", "LIST-METADATA", "UIDONLY", "UTF8=ACCEPT",
}

// quotaCapabilities follow the authentication atoms, as in Cyrus.
var quotaCapabilities = []string{"X-QUOTA=STORAGE", "X-QUOTA=MESSAGE", "X-QUOTA=X-NUM-FOLDERS", "IDLE"}

// greetingCapabilities is the short list of the greeting (Cyrus sends the
// full list only on request).
func (s *session) greetingCapabilities() string {
	caps := []string{"IMAP4rev1", "IMAP4rev2", "LITERAL+", "ID", "ENABLE"}
	caps = append(caps, s.authCapabilities()...)
	return strings.Join(s.suppress(caps), " ")
}

// capabilities is the CAPABILITY list for the session's current state.
func (s *session) capabilities() string {
	caps := slices.Clone(baseCapabilities)
	caps = append(caps, searchCapabilities...)
	caps = append(caps, "REPLACE") // RFC 8508, cmd_replace.go
	caps = append(caps, s.authCapabilities()...)
	if !s.compressed {
		caps = append(caps, "COMPRESS=DEFLATE")
	}
	caps = append(caps, quotaCapabilities...)
	caps = append(caps, "APPENDLIMIT="+strconv.FormatInt(s.srv.maxMessage, 10))
	return strings.Join(s.suppress(caps), " ")
}

// authCapabilities: STARTTLS while it can be used, then the mechanisms
// before login, LOGINDISABLED after it or when plaintext is refused.
func (s *session) authCapabilities() []string {
	var caps []string
	if s.tls == nil && s.srv.opts.TLS != nil && s.state == stateNotAuth {
		caps = append(caps, "STARTTLS")
	}
	if s.state != stateNotAuth {
		caps = append(caps, "LOGINDISABLED")
		if s.user.Admin {
			caps = append(caps, "UNAUTHENTICATE")
		}
		return caps
	}
	for _, m := range s.srv.opts.Auth.MechanismsFor(s.connInfo()) {
		caps = append(caps, "AUTH="+m)
	}
	caps = append(caps, "SASL-IR")
	if !s.srv.opts.Auth.PlaintextAllowed(s.tls != nil) {
		caps = append(caps, "LOGINDISABLED")
	}
	return caps
}

// suppress drops what suppress_capabilities names.
func (s *session) suppress(caps []string) []string {
	drop := s.srv.cfg.SuppressCapabilities()
	if len(drop) == 0 {
		return caps
	}
	return slices.DeleteFunc(caps, func(c string) bool {
		return slices.ContainsFunc(drop, func(d string) bool { return strings.EqualFold(c, d) })
	})
}
