// Package acl implements Cyrus mailbox access control lists (RFC 4314 with
// Cyrus's extensions): rights, the ACL text of the mailbox list, evaluation
// for a session, implicit owner and admin rights, the initial ACL of a new
// mailbox, cyradm's shortcut names and group membership from /etc/group.
//
// # Rights
//
// [Rights] is a bit set of l r s w i p k x t e a n and the user rights 0-9.
// The RFC 2086 letters c and d are macros on input ([ParseRights]): c = k
// (+x when deleteright is "c", the default), d = t e (+x when deleteright is
// "d"); a macro expands only when none of its member letters is also given.
// On output ([Rights.String]) c is added when any of its members is held and
// d likewise, in the order "lrswipkxtecdan0-9": a full ACL prints as
// "lrswipkxtecdan".
//
// # Text form
//
// An [ACL] is stored as Cyrus's mailboxes.db text: "id<TAB>rights<TAB>" per
// entry, e.g. "alice\tlrswipkxtecdan\tanyone\tlrs\t". A negative entry keeps
// its '-' in the id ("-bob"). Entry order carries no meaning.
//
// # Evaluation
//
// [Policy.Rights]: the union of every matching positive entry ("anyone", the
// user, "anonymous" for anonymous sessions, "group:name" for members), with
// acl_admin_implies_write applied, minus every matching negative entry; then
// the implicit rights that no ACL can take away are added: admins l and a,
// the owner of user.X... the implicit owner rights. Everyone may post to a
// user's INBOX whatever its ACL ([Policy.CanDeliver]; LISTRIGHTS shows it as
// an always-granted p).
package acl
