package cyrusdb

// The key prefixes of every kind of record in the databases, in one table
// (docs/ARCHITECTURE.md §2.1). These bytes are on disk: changing one
// orphans every existing record of its kind. A new kind of record takes a
// new constant and a row in KeySpaces; keys_test.go pins the bytes and
// checks that no prefix is a prefix of another except the overlaps listed
// in KeyOverlaps, and test/keyprefix_test.go that no other package spells
// a prefix itself.
const (
	// PrefixMailbox + internal name, hierarchy separators as NUL: a mailbox
	// list entry (pkg/mboxlist).
	PrefixMailbox = "M"
	// PrefixSubscription + userid + NUL + internal name (pkg/mboxlist).
	PrefixSubscription = "S"
	// PrefixSeen + userid + NUL + uniqueid: seen state of a mailbox the user
	// does not own (pkg/mboxlist).
	PrefixSeen = "N"
	// PrefixMetadata + mailbox + NUL + entry + NUL + userid (pkg/mboxlist).
	PrefixMetadata = "A"
	// PrefixQuotaLimit + root: a quota root's limits (pkg/quota).
	PrefixQuotaLimit = "QL"
	// PrefixQuotaUsage + root: a quota root's usage (pkg/quota).
	PrefixQuotaUsage = "QU"
	// PrefixQuotaCharge + mailbox: what one mailbox is charged (pkg/quota).
	PrefixQuotaCharge = "QM"
	// PrefixQuotaPending + uniqueid: a charge ahead of its index (pkg/quota).
	PrefixQuotaPending = "QP"
	// KeyQuotaUnrooted is the usage of mailboxes under no root (pkg/quota).
	KeyQuotaUnrooted = "QN"
	// KeyQuotaGeneration is bumped by every change of the root set (pkg/quota).
	KeyQuotaGeneration = "QG"
	// KeyQuotaSchema marks databases with per-mailbox charges (pkg/store).
	KeyQuotaSchema = "QV"
	// PrefixSASL + userid: a sasldb user's secrets (pkg/sasldb).
	PrefixSASL = "P"
	// PrefixDuplicate + message-id + NUL + uniqueid + NUL + date: a
	// delivery (pkg/duplicate).
	PrefixDuplicate = "DUP/"
	// PrefixSieveDup + userid + NUL + id: a Sieve vacation/duplicate
	// sighting (pkg/duplicate).
	PrefixSieveDup = "SIEVEDUP/"
	// PrefixPOP3Login + internal name: a recent POP3 login (pkg/pop3server).
	PrefixPOP3Login = "pop3login\x00"
	// KeyUIDValidity is the last UIDVALIDITY handed out (pkg/mboxlist).
	KeyUIDValidity = "UV"
	// PrefixURLAuthKey + userid + NUL + mailbox uniqueid: a URLAUTH
	// mailbox access key (pkg/imapserver, RFC 4467).
	PrefixURLAuthKey = "urlauthkey\x00"
	// PrefixUserDeny + userid: the services the user is denied and the
	// message (Cyrus's user_deny.db, pkg/userdeny).
	PrefixUserDeny = "userdeny\x00"
)

// KeySpace is one kind of record.
type KeySpace struct {
	Prefix string
	Exact  bool   // the whole key, not a prefix
	Owner  string // the package that reads and writes it
}

// KeySpaces lists every constant above.
var KeySpaces = []KeySpace{
	{PrefixMailbox, false, "pkg/mboxlist"},
	{PrefixSubscription, false, "pkg/mboxlist"},
	{PrefixSeen, false, "pkg/mboxlist"},
	{PrefixMetadata, false, "pkg/mboxlist"},
	{PrefixQuotaLimit, false, "pkg/quota"},
	{PrefixQuotaUsage, false, "pkg/quota"},
	{PrefixQuotaCharge, false, "pkg/quota"},
	{PrefixQuotaPending, false, "pkg/quota"},
	{KeyQuotaUnrooted, true, "pkg/quota"},
	{KeyQuotaGeneration, true, "pkg/quota"},
	{KeyQuotaSchema, true, "pkg/store"},
	{PrefixSASL, false, "pkg/sasldb"},
	{PrefixDuplicate, false, "pkg/duplicate"},
	{PrefixSieveDup, false, "pkg/duplicate"},
	{PrefixPOP3Login, false, "pkg/pop3server"},
	{KeyUIDValidity, true, "pkg/mboxlist"},
	{PrefixURLAuthKey, false, "pkg/imapserver"},
	{PrefixUserDeny, false, "pkg/userdeny"},
}

// KeyOverlaps are the deliberate cases of one prefix starting another
// (shorter first), with why their records still cannot be confused. A scan
// of the shorter prefix alone would return both kinds, so the owner of the
// shorter one always scans with more of the key.
var KeyOverlaps = map[[2]string]string{
	{PrefixSubscription, PrefixSieveDup}: "a subscription key goes on with a userid and NUL; " +
		"a userid cannot contain '/' (mboxname.ValidateUserID), so none is \"IEVEDUP/...\", and pkg/mboxlist scans " +
		"subscriptions per user (\"S\" + userid + NUL), never \"S\" alone",
}
