package acl

import (
	"strings"

	"gocyrus/pkg/mboxname"
)

// RightsListing is the data of a LISTRIGHTS response (RFC 4314 §3.7): the
// rights always granted to the identifier, and each right that may be granted
// on top, one letter per group.
type RightsListing struct {
	Always    Rights
	Grantable []string
}

// listOrder is the order LISTRIGHTS offers the grantable letters in.
const listOrder = "lrswipkxtecdan0123456789"

// ListRights returns what LISTRIGHTS reports for id on mailbox: for the owner
// of a user tree the implicit owner rights are always granted, for anyone
// else on a user INBOX p is; every other letter is grantable. E.g. for
// alice on user.alice: "lkxcan" then r s w i p t e d 0 ... 9.
func (p Policy) ListRights(mailbox, id string) RightsListing {
	var always Rights
	if owner, ok := mboxname.UserOf(mailbox); ok && owner == id {
		always = p.ImplicitOwnerRights
	} else if mboxname.IsUserInbox(mailbox) {
		always = Post
	}
	held := always.String()
	var grantable []string
	for _, ch := range listOrder {
		if !strings.ContainsRune(held, ch) {
			grantable = append(grantable, string(ch))
		}
	}
	return RightsListing{Always: always, Grantable: grantable}
}

// Fields returns the response words after the identifier: the always-granted
// set ("" when empty) then the grantable letters.
func (l RightsListing) Fields() []string {
	return append([]string{l.Always.String()}, l.Grantable...)
}
