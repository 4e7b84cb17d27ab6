package store

import (
	"strings"

	"gocyrus/pkg/mboxname"
)

// SpecialUse returns the special-use attributes (RFC 6154) of mailbox e as
// userid sees them. Cyrus keeps a special use as the private annotation
// /private/specialuse of the user whose tree holds the mailbox, so only
// that owner sees it: administrators and the users a mailbox is shared
// with see none, and a mailbox in no user's tree shows none to anyone.
// Every protocol reads Entry.SpecialUse through this one rule.
func SpecialUse(e *Entry, userid string) []string {
	if e == nil || e.SpecialUse == "" || userid == "" {
		return nil
	}
	if owner, ok := mboxname.UserOf(e.Name); !ok || owner != userid {
		return nil
	}
	return strings.Fields(e.SpecialUse)
}

// OwnerSpecialUse returns the special-use attributes e's owner sees: what
// delivery checks (lmtp_exclude_specialuse), whoever sends the mail.
func OwnerSpecialUse(e *Entry) []string {
	if e == nil {
		return nil
	}
	owner, _ := mboxname.UserOf(e.Name)
	return SpecialUse(e, owner)
}
