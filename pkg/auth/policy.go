package auth

import (
	"fmt"
	"log/slog"

	"gocyrus/pkg/config"
)

// policy holds who is an administrator and who may act for others.
type policy struct {
	admins       map[string]bool // canonical userids from admins:
	proxyServers map[string]bool // canonical userids from proxyservers:
}

func newPolicy(cfg *config.Config, c canonicalizer, log *slog.Logger) policy {
	return policy{
		admins:       canonicalSet(cfg.Admins(), "admins", c, log),
		proxyServers: canonicalSet(cfg.Proxyservers(), "proxyservers", c, log),
	}
}

// canonicalSet canonicalises the ids of a list option, dropping (with a
// warning) those that can never be a userid.
func canonicalSet(ids []string, option string, c canonicalizer, log *slog.Logger) map[string]bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		u, err := c.userid(id, "")
		if err != nil || u == AnonymousUser {
			log.Warn("auth: ignoring an entry that cannot be a userid", "option", option, "entry", id)
			continue
		}
		set[u] = true
	}
	return set
}

func (p policy) isAdmin(userid string) bool { return p.admins[userid] }

// authorize decides whether authcid may act as authzid (both canonical).
func (p policy) authorize(authcid, authzid string) error {
	if authcid == authzid {
		return nil
	}
	deny := func(why string) error {
		return fmt.Errorf("%w: %s as %s: %s", ErrNotAuthorized, authcid, authzid, why)
	}
	if authzid == AnonymousUser {
		return deny("nobody acts as anonymous")
	}
	if p.proxyServers[authcid] {
		return nil
	}
	if !p.admins[authcid] {
		return deny("only admins and proxyservers may act for others")
	}
	if d := domainOf(authcid); d != "" && d != domainOf(authzid) {
		return deny("a domain administrator acts only within its domain")
	}
	return nil
}
