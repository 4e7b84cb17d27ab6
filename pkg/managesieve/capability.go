package managesieve

import (
	"slices"
	"strings"
)

// writeCapabilities sends the capability list and OK: the greeting, the
// CAPABILITY reply and the reply after STARTTLS.
func (s *session) writeCapabilities() {
	opts := s.srv.opts
	line := func(name, value string) {
		if value == "" && name != "SASL" {
			s.reply(quote(name))
			return
		}
		s.reply(quote(name) + " " + quote(value))
	}
	switch opts.Config.Serverinfo() {
	case "off":
		line("IMPLEMENTATION", "ManageSieve")
	case "min":
		line("IMPLEMENTATION", "Cyrus timsieved")
	default:
		line("IMPLEMENTATION", "Cyrus timsieved "+opts.Version)
	}
	line("VERSION", "1.0")
	if s.user == nil {
		line("SASL", strings.Join(opts.Auth.MechanismsFor(s.connInfo()), " "))
	}
	line("SIEVE", strings.Join(s.srv.extensions, " "))
	if opts.TLS != nil && s.tlsState == nil && s.user == nil {
		line("STARTTLS", "")
	}
	if s.user != nil {
		line("OWNER", s.user.User)
	}
	if slices.Contains(s.srv.extensions, "enotify") {
		line("NOTIFY", "mailto")
	}
	if slices.Contains(s.srv.extensions, "extlists") {
		line("EXTLISTS", "urn:ietf:params:sieve:addrbook")
	}
	line("UNAUTHENTICATE", "")
	s.reply("OK")
}
