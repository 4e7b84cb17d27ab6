package imapserver

import (
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// errSpecialUseProtected refuses deleting, or moving under another
// parent, a mailbox whose special use specialuse_protect lists.
var errSpecialUseProtected = noCode("USEATTR", "Operation not supported on a protected special-use mailbox")

// protectedSpecialUse reports whether e's owner gave it one of the
// special-use attributes of specialuse_protect: it guards the owner's
// folder against anyone it is shared with too (as Cyrus 3.6 does), though
// only the owner sees the attribute; administrators are never held back.
func (s *session) protectedSpecialUse(e *store.Entry) bool {
	if e == nil || s.identityFor(e.Name).Admin {
		return false
	}
	protect := s.srv.cfg.SpecialuseProtect()
	for _, use := range store.OwnerSpecialUse(e) {
		if containsFold(protect, use) {
			return true
		}
	}
	return false
}

// specialUse returns the special-use attributes this session sees on e:
// the owner's only (store.SpecialUse). LIST, the SPECIAL-USE selection
// and GETMETADATA all read them here.
func (s *session) specialUse(e *store.Entry) []string {
	return store.SpecialUse(e, s.user.User)
}

// movesParent reports whether renaming from to to changes the parent.
func movesParent(from, to string) bool {
	fp, _ := mboxname.Parent(from)
	tp, _ := mboxname.Parent(to)
	return fp != tp
}
