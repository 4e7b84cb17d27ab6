package lmtp

import (
	"context"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/store"
)

// sieveOwner is whose script runs for a recipient and in whose name its
// actions happen: a user's active script, or the global script a shared
// mailbox's annotation names.
type sieveOwner struct {
	user string // the user; "" for a shared mailbox
	// id keys the script's records (vacation, duplicate, "already
	// handled") and names it in the redirect loop marker: the user, or
	// "+<mailbox>" (the board's LMTP address) for a shared mailbox, which
	// no userid can be.
	id string
	// rights is whose rights fileinto and :create use: the user, or for a
	// shared mailbox the sender (who needed p on it too).
	rights acl.Identity
	keep   *store.Entry // the recipient's own mailbox
}

func (d *delivery) ownerOf(rc *rcpt) sieveOwner {
	if rc.user != "" {
		return sieveOwner{user: rc.user, id: rc.user, rights: acl.Identity{User: rc.user}, keep: rc.target.Entry}
	}
	return sieveOwner{id: "+" + rc.target.Entry.Name, rights: d.sender, keep: rc.target.Entry}
}

// script returns the owner's compiled script and its name, errNoScript
// when there is none.
func (s *Server) script(ctx context.Context, o sieveOwner, now time.Time) (*sieve.Script, string, error) {
	if o.user != "" {
		return s.sieve.cache.active(o.user, now)
	}
	return s.sieve.cache.shared(ctx, s.store, o.keep, now)
}

// toInternal resolves a mailbox name a script gives: in the user's client
// namespace (altnamespace applies), or for a shared mailbox's script as
// "+board" addresses name shared folders.
func (o sieveOwner) toInternal(ns mboxname.Namespace, name string) (string, error) {
	if o.user == "" {
		return ns.ToInternal(name, "", true)
	}
	return ns.ToInternal(name, o.user, false)
}

// owns reports whether internal is the owner's own: the user's INBOX and
// its folders, or the shared mailbox itself. The owner may always file
// into its own mailboxes.
func (o sieveOwner) owns(ns mboxname.Namespace, internal string) bool {
	if internal == o.keep.Name {
		return true
	}
	if o.user == "" {
		return false
	}
	own := ns.UserInbox(o.user)
	return internal == own || mboxname.IsDescendant(internal, own)
}
