package imapserver

import (
	"runtime"
	"slices"
	"strings"

	"gocyrus/pkg/imapserver/wire"
)

// cmdCapability: RFC 3501 §6.1.1.
func cmdCapability(s *session, c wire.Command) (reply, error) {
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	s.w.Star().Atom("CAPABILITY ").Atom(s.capabilities()).CRLF()
	return reply{}, nil
}

// cmdNoop: RFC 3501 §6.1.2 (and CHECK, §6.4.1: every commit is already
// durable). The updates of the selected mailbox follow in finish.
func cmdNoop(s *session, c wire.Command) (reply, error) {
	return reply{}, s.r.EOL()
}

// cmdLogout: RFC 3501 §6.1.3.
func cmdLogout(s *session, c wire.Command) (reply, error) {
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	s.w.StatusResponse("*", wire.BYE, "", "LOGOUT received")
	s.closeMailbox()
	s.state = stateLogout
	return reply{}, nil
}

// cmdID: RFC 2971. The client's fields are logged; ours name this
// implementation truthfully.
func cmdID(s *session, c wire.Command) (reply, error) {
	fields, err := wire.ParseID(s.r)
	if err != nil {
		return reply{}, err
	}
	if len(fields) > 0 {
		var b strings.Builder
		for _, f := range fields {
			b.WriteString(f.Name + "=" + f.Value + " ")
		}
		s.log.Info("client id", "id", strings.TrimSpace(b.String()))
	}
	s.w.Star().Atom("ID (")
	pairs := []string{"name", "gocyrus IMAPD", "version", Version, "vendor", "gocyrus",
		"support-url", "https://www.cyrusimap.org", "os", runtime.GOOS}
	for i, p := range pairs {
		if i > 0 {
			s.w.SP()
		}
		s.w.String(p)
	}
	s.w.Close().CRLF()
	return reply{}, nil
}

// cmdEnable: RFC 5161. CONDSTORE (RFC 7162 §3.1), QRESYNC (§3.2,
// which implies CONDSTORE) and IMAP4rev2 (RFC 9051 §6.3.1) change what the
// server sends. Only what was newly enabled is listed in ENABLED.
func cmdEnable(s *session, c wire.Command) (reply, error) {
	caps, err := wire.ParseEnable(s.r)
	if err != nil {
		return reply{}, err
	}
	var on []string
	for _, name := range caps {
		switch {
		case name == "CONDSTORE" && !s.enabled.condstore:
			s.enabled.condstore = true
			on = append(on, name)
		case name == "QRESYNC" && !s.enabled.qresync:
			s.enabled.qresync, s.enabled.condstore = true, true
			on = append(on, name)
		case name == "UIDONLY" && !s.enabled.uidonly:
			s.enabled.uidonly = true
			s.w.UIDFetch = true // uidonly.go
			on = append(on, name)
		case name == "UTF8=ACCEPT" && !s.enabled.utf8:
			s.enabled.utf8 = true // utf8accept.go
			on = append(on, name)
		case name == "IMAP4REV2" && !s.enabled.rev2:
			s.enabled.rev2 = true
			if s.sel != nil {
				s.sel.recentUIDs = nil // \Recent does not exist in rev2
			}
			on = append(on, "IMAP4rev2")
		}
	}
	s.w.Star().Atom("ENABLED")
	for _, name := range on {
		s.w.SP().Atom(name)
	}
	s.w.CRLF()
	if slices.Contains(on, "CONDSTORE") || slices.Contains(on, "QRESYNC") {
		s.enableCondstore(true) // with a mailbox selected: its HIGHESTMODSEQ
	}
	return reply{}, nil
}
