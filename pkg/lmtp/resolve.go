package lmtp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/recipient"
	"gocyrus/pkg/store"
)

// Resolution errors; the session maps them to Cyrus's replies.
var (
	ErrUnknownUser = errors.New("mailbox unknown")
	ErrPermission  = errors.New("permission denied")
)

// Target is the mailbox a recipient's copy goes to.
type Target struct {
	Entry *store.Entry
}

// ResolveOptions are the imapd.conf settings the resolver applies.
type ResolveOptions struct {
	Fuzzy    bool   // lmtp_fuzzy_mailbox_match
	Catchall string // lmtp_catchall_mailbox: user whose INBOX takes unknown users
	// ExcludeSpecialUse (lmtp_exclude_specialuse): folders with one of
	// these special-use flags get no mail by +detail or fileinto.
	ExcludeSpecialUse []string
	// Autocreate creates a missing INBOX (autocreate_post); nil: none.
	Autocreate *store.Provisioning
}

// ProvisioningOnDelivery is what a delivery to a user without an INBOX
// creates: nil unless autocreate_post is on and autocreate_quota >= 0.
func ProvisioningOnDelivery(cfg *config.Config) *store.Provisioning {
	if !cfg.AutocreatePost() {
		return nil
	}
	return store.ProvisioningFromConfig(cfg)
}

// Excluded reports whether e carries a special-use flag that keeps mail
// out of it.
func (o ResolveOptions) Excluded(e *store.Entry) bool {
	for _, use := range store.OwnerSpecialUse(e) {
		for _, x := range o.ExcludeSpecialUse {
			if strings.EqualFold(use, x) {
				return true
			}
		}
	}
	return false
}

// Resolver maps recipients to mailboxes.
type Resolver struct {
	Store *store.Store
	Opt   ResolveOptions
}

// Resolve finds the mailbox for r as seen by the sender who: a shared
// folder needs p (no fallback); a user's +detail folder is used when it
// exists and who has p on it, else the user's INBOX.
func (rv *Resolver) Resolve(ctx context.Context, r recipient.Recipient, who acl.Identity) (Target, error) {
	st := rv.Store
	if r.Shared {
		name, err := st.Namespace().ToInternal(r.Detail, "", true)
		if err != nil {
			return Target{}, fmt.Errorf("%w: %v", ErrUnknownUser, err)
		}
		e, err := rv.lookup(ctx, name)
		if err != nil {
			return Target{}, err
		}
		if !st.Policy().CanDeliver(e.ACL, who, e.Name) {
			return Target{}, fmt.Errorf("%w: %s", ErrPermission, e.Name)
		}
		return Target{Entry: e}, nil
	}
	userid := r.UserID()
	if err := mboxname.ValidateUserID(userid); err != nil {
		return Target{}, fmt.Errorf("%w: %v", ErrUnknownUser, err)
	}
	inbox, err := rv.lookup(ctx, st.Namespace().UserInbox(userid))
	if errors.Is(err, ErrUnknownUser) && rv.Opt.Autocreate != nil {
		inbox, err = st.CreateUser(ctx, userid, rv.Opt.Autocreate)
		if errors.Is(err, store.ErrNotProvisioned) {
			err = fmt.Errorf("%w: %s", ErrUnknownUser, userid)
		}
	}
	if errors.Is(err, ErrUnknownUser) && rv.Opt.Catchall != "" {
		inbox, err = rv.lookup(ctx, st.Namespace().UserInbox(rv.Opt.Catchall))
		return Target{Entry: inbox}, err
	}
	if err != nil {
		return Target{}, err
	}
	if r.HasDetail && r.Detail != "" {
		if e := rv.folder(ctx, inbox, userid, r.Detail); e != nil && !rv.Opt.Excluded(e) && st.Policy().CanDeliver(e.ACL, who, e.Name) {
			return Target{Entry: e}, nil
		}
	}
	return Target{Entry: inbox}, nil
}

// lookup maps "no such mailbox" to ErrUnknownUser and leaves other errors
// (the databases are down) as they are: those are temporary.
func (rv *Resolver) lookup(ctx context.Context, name string) (*store.Entry, error) {
	if rv.Store.IsDeletedName(name) {
		// A delayed-deleted mailbox never takes mail ("+DELETED.x.HEX").
		return nil, fmt.Errorf("%w: %s", ErrUnknownUser, name)
	}
	e, err := rv.Store.Lookup(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownUser, name)
	}
	return e, err
}

// folder finds the +detail folder below inbox, or nil. With fuzzy matching
// a missing folder is looked for case- and space-insensitively, then its
// parents are tried.
func (rv *Resolver) folder(ctx context.Context, inbox *store.Entry, userid, detail string) *store.Entry {
	st := rv.Store
	external := detail // altnamespace: a user's folders sit beside INBOX
	if !st.Namespace().AltNamespace {
		external = "INBOX" + string(st.Namespace().Separator(false)) + detail
	}
	name, err := st.Namespace().ToInternal(external, userid, false)
	if err != nil || !mboxname.IsDescendant(name, inbox.Name) {
		return nil
	}
	if e, err := st.Lookup(ctx, name); err == nil {
		return e
	}
	if !rv.Opt.Fuzzy {
		return nil
	}
	for cand := name; cand != inbox.Name; {
		if e := rv.fuzzyMatch(ctx, inbox.Name, cand); e != nil {
			return e
		}
		parent, ok := mboxname.Parent(cand)
		if !ok {
			break
		}
		cand = parent
	}
	return nil
}

func fuzzyKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, strings.ToLower(s))
}

func (rv *Resolver) fuzzyMatch(ctx context.Context, inbox, want string) *store.Entry {
	key := fuzzyKey(want)
	var found *store.Entry
	errFound := errors.New("found")
	rv.Store.Walk(ctx, inbox, func(e *store.Entry) error {
		if fuzzyKey(e.Name) == key {
			found = e
			return errFound
		}
		return nil
	})
	return found
}
