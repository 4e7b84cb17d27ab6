package acl

import (
	"strings"

	"gocyrus/pkg/mboxname"
)

// Identifiers with a fixed meaning.
const (
	Anyone      = "anyone"    // every session, anonymous ones too
	Anonymous   = "anonymous" // only unauthenticated sessions
	GroupPrefix = "group:"    // "group:staff" matches members of staff
)

// Identity is who a session is. Groups holds "group:name" identifiers (bare
// names are accepted too). Admin is the caller's decision that the user
// administers this mailbox (a global admin, or a domain admin in its domain).
type Identity struct {
	User      string
	Groups    []string
	Anonymous bool
	Admin     bool
}

// Policy carries the options that shape evaluation.
type Policy struct {
	ImplicitOwnerRights Rights // implicit_owner_rights; Cyrus default lkxan
	AdminImpliesWrite   bool   // acl_admin_implies_write
}

// DefaultPolicy returns Cyrus 3.6's defaults.
func DefaultPolicy() Policy {
	return Policy{ImplicitOwnerRights: Lookup | Create | DeleteMailbox | Administer | Annotate}
}

// Matches reports whether an identifier (without a leading '-') applies to who.
func (who Identity) Matches(id string) bool {
	switch {
	case id == Anyone:
		return true
	case id == Anonymous:
		return who.Anonymous
	case strings.HasPrefix(id, GroupPrefix):
		if who.Anonymous {
			return false
		}
		for _, g := range who.Groups {
			if g == id || GroupPrefix+g == id {
				return true
			}
		}
		return false
	default:
		return !who.Anonymous && who.User != "" && id == who.User
	}
}

// FromACL evaluates the ACL alone (docs/CYRUS-BEHAVIOUR.md §3.4 steps 1-4): the union of the
// matching positive entries, with a implying s w i t e n when AdminImpliesWrite,
// minus the union of the matching negative entries.
func (p Policy) FromACL(a ACL, who Identity) Rights {
	var pos, neg Rights
	for _, e := range a {
		if id, negative := strings.CutPrefix(e.ID, "-"); negative {
			if who.Matches(id) {
				neg |= e.Rights
			}
		} else if who.Matches(e.ID) {
			pos |= e.Rights
		}
	}
	if p.AdminImpliesWrite && pos.Has(Administer) {
		pos |= ReadWrite
	}
	return pos &^ neg
}

// Rights returns what who may do on the mailbox with internal name mailbox
// (MYRIGHTS and every command check): FromACL plus the implicit rights no ACL
// entry can take away — l and a for admins (never r or x), and the implicit
// owner rights on user.<me> and below. The p every sender has on a user's
// INBOX is not included, as MYRIGHTS does not show it (observed "la" for an
// admin on user/alice); LMTP asks [Policy.CanDeliver].
func (p Policy) Rights(a ACL, who Identity, mailbox string) Rights {
	r := p.FromACL(a, who)
	if who.Admin {
		r |= Lookup | Administer
	}
	if IsOwner(who, mailbox) {
		r |= p.ImplicitOwnerRights
	}
	return r
}

// CanDeliver reports whether LMTP may deliver into mailbox for who: delivery
// to a user INBOX ignores the ACL, anything else needs p.
func (p Policy) CanDeliver(a ACL, who Identity, mailbox string) bool {
	return mboxname.IsUserInbox(mailbox) || p.Rights(a, who, mailbox).Has(Post)
}

// IsOwner reports whether who owns mailbox: it is user.<who.User> or below
// (in a virtual domain, dom!user.x is owned by "x@dom").
func IsOwner(who Identity, mailbox string) bool {
	if who.Anonymous || who.User == "" {
		return false
	}
	owner, ok := mboxname.UserOf(mailbox)
	return ok && owner == who.User
}
