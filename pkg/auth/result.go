package auth

// Result is who a successful authentication made the session.
type Result struct {
	// User is the canonical userid the session acts as (the authorization
	// identity); AnonymousUser for anonymous sessions.
	User string
	// AuthUser is whose credentials were checked; it differs from User
	// only when an admin or a proxy server acts for another user.
	AuthUser string
	// Mechanism is the SASL mechanism, or "PASSWORD" for CheckPassword and
	// "APOP" for CheckAPOP.
	Mechanism string
	// Admin: User is listed in admins. For "user@dom" that makes an
	// administrator of dom only: ask IsAdminFor.
	Admin bool
	// Anonymous: the anonymous identity (allowanonymouslogin).
	Anonymous bool
}

// Mechanism names of Result for the non-SASL checks.
const (
	MechPassword = "PASSWORD"
	MechAPOP     = "APOP"
)

// Domain returns the virtual domain of User, "" for the default domain.
func (r Result) Domain() string { return domainOf(r.User) }

// IsAdminFor reports whether the session administers the given domain (""
// for the default domain): a global administrator administers every
// domain, a domain administrator only its own.
func (r Result) IsAdminFor(domain string) bool {
	if !r.Admin {
		return false
	}
	d := r.Domain()
	return d == "" || d == domain
}

// IsGlobalAdmin reports an administrator of every domain.
func (r Result) IsGlobalAdmin() bool { return r.Admin && r.Domain() == "" }
