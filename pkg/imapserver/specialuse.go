package imapserver

import (
	"strings"

	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// errSpecialUseProtected refuses deleting, or moving under another
// parent, a mailbox whose special use specialuse_protect lists.
var errSpecialUseProtected = noCode("USEATTR", "Operation not supported on a protected special-use mailbox")

// protectedSpecialUse reports whether e carries one of the special-use
// attributes of specialuse_protect; administrators are never held back.
func (s *session) protectedSpecialUse(e *store.Entry) bool {
	if e == nil || e.SpecialUse == "" || s.identityFor(e.Name).Admin {
		return false
	}
	protect := s.srv.cfg.SpecialuseProtect()
	for _, use := range strings.Fields(e.SpecialUse) {
		if containsFold(protect, use) {
			return true
		}
	}
	return false
}

// movesParent reports whether renaming from to to changes the parent.
func movesParent(from, to string) bool {
	fp, _ := mboxname.Parent(from)
	tp, _ := mboxname.Parent(to)
	return fp != tp
}
