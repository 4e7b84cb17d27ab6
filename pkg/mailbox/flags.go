package mailbox

import "strings"

// Flags holds the IMAP system flags of a message. \Recent is per session
// and is not stored.
type Flags uint32

// System flags.
const (
	FlagSeen Flags = 1 << iota
	FlagAnswered
	FlagFlagged
	FlagDeleted
	FlagDraft

	// flagExpunged marks a tombstone record; never visible to callers.
	flagExpunged Flags = 1 << 31
	// flagUnlinked marks a tombstone whose file is removed, or about to be
	// (set in the index before the unlink, so that Reconstruct finishes an
	// interrupted one). A tombstone without it keeps its file for
	// unexpunge until cyr_expire -X purges it (expunge_mode: delayed).
	flagUnlinked Flags = 1 << 30

	systemFlagMask = FlagSeen | FlagAnswered | FlagFlagged | FlagDeleted | FlagDraft
)

var systemFlagNames = [...]struct {
	flag Flags
	name string
}{
	{FlagAnswered, `\Answered`},
	{FlagFlagged, `\Flagged`},
	{FlagDeleted, `\Deleted`},
	{FlagSeen, `\Seen`},
	{FlagDraft, `\Draft`},
}

// Names returns the IMAP names of the set system flags.
func (f Flags) Names() []string { return f.AppendNames(nil) }

// AppendNames appends the names of the system flags set in f to dst.
func (f Flags) AppendNames(dst []string) []string {
	for _, n := range systemFlagNames {
		if f&n.flag != 0 {
			dst = append(dst, n.name)
		}
	}
	return dst
}

// ParseSystemFlag maps an IMAP system flag name (case-insensitive) to its bit.
func ParseSystemFlag(name string) (Flags, bool) {
	for _, n := range systemFlagNames {
		if strings.EqualFold(name, n.name) {
			return n.flag, true
		}
	}
	return 0, false
}

// MaxKeywords is how many distinct keywords (user flags) a mailbox can hold.
const MaxKeywords = 128

// KeywordSet is a bit set over the mailbox's keyword names (Header.Keywords).
type KeywordSet [2]uint64

// Has reports whether keyword number i is set.
func (k KeywordSet) Has(i int) bool {
	return i >= 0 && i < MaxKeywords && k[i/64]&(1<<(uint(i)%64)) != 0
}

// With returns k with keyword i set.
func (k KeywordSet) With(i int) KeywordSet {
	if i >= 0 && i < MaxKeywords {
		k[i/64] |= 1 << (uint(i) % 64)
	}
	return k
}

func (k KeywordSet) union(o KeywordSet) KeywordSet { return KeywordSet{k[0] | o[0], k[1] | o[1]} }
func (k KeywordSet) minus(o KeywordSet) KeywordSet { return KeywordSet{k[0] &^ o[0], k[1] &^ o[1]} }

// ValidKeyword reports whether s is an IMAP atom usable as a keyword (RFC
// 3501 flag-keyword): the one rule for every path that stores keywords.
func ValidKeyword(s string) bool {
	if s == "" || len(s) > 255 || s[0] == '\\' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}
