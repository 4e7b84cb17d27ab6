package acl

import (
	"strings"

	"gocyrus/pkg/mboxname"
)

// DefaultACL is the defaultacl option's Cyrus default.
const DefaultACL = "anyone lrs"

// InitialACL returns the ACL a new mailbox starts with (docs/CYRUS-BEHAVIOUR.md §3.5):
// a copy of the nearest existing ancestor's ACL when there is one (hasParent);
// else, for a user INBOX user.X, X with every right; else defaultACL (the
// defaultacl option, whitespace-separated pairs; "" gives an empty ACL and
// malformed pairs are skipped, as Cyrus does).
func InitialACL(name string, parentACL ACL, hasParent bool, defaultACL string) ACL {
	if hasParent {
		if parentACL == nil {
			return ACL{}
		}
		return parentACL.Clone()
	}
	if mboxname.IsUserInbox(name) {
		owner, _ := mboxname.UserOf(name)
		return ACL{{ID: owner, Rights: All}}
	}
	return lenientDefaultACL(defaultACL)
}

func lenientDefaultACL(s string) ACL {
	out := ACL{}
	fields := strings.Fields(s)
	for i := 0; i+1 < len(fields); i += 2 {
		next, err := out.Apply(fields[i], fields[i+1], DefaultDeleteRight)
		if err == nil {
			out = next
		}
	}
	return out
}
