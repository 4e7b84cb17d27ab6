package mboxlist

import (
	"encoding/json"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/cyrusdb"
)

// Entry is one mailbox in the list.
type Entry struct {
	Name          string  `json:"name"` // internal name
	Partition     string  `json:"partition,omitempty"`
	ACL           acl.ACL `json:"-"`
	UniqueID      string  `json:"uniqueid,omitempty"`
	UIDValidity   uint32  `json:"uidvalidity,omitempty"`
	Type          string  `json:"mbtype,omitempty"` // Cyrus mbtype letters; "" or "e" = email
	MTime         int64   `json:"mtime,omitempty"`
	CreatedModseq uint64  `json:"createdmodseq,omitempty"`
	FolderModseq  uint64  `json:"foldermodseq,omitempty"`
	SpecialUse    string  `json:"specialuse,omitempty"` // e.g. "\Sent"
	Server        string  `json:"server,omitempty"`
	// NameHistory is kept as Cyrus wrote it (objects with name, mtime,
	// uidvalidity, ...), so a dump round-trips.
	NameHistory []json.RawMessage `json:"history,omitempty"`
	// Extra holds fields of an imported Cyrus dump this server does not
	// interpret, written back unchanged by Dump.
	Extra map[string]json.RawMessage `json:"extra,omitempty"`
}

// record is the stored form: the ACL in Cyrus's text form.
type record struct {
	Entry
	ACLText string `json:"acl,omitempty"`
}

// IsDeleted reports a tombstone (mbtype flag d).
func (e *Entry) IsDeleted() bool { return strings.ContainsRune(e.Type, 'd') }

// IsIntermediate reports an intermediate (placeholder) entry (mbtype flag i).
func (e *Entry) IsIntermediate() bool { return strings.ContainsRune(e.Type, 'i') }

// LegacyDirs reports a mailbox whose spool directory is named by its name
// rather than its uniqueid (mbtype flag l).
func (e *Entry) LegacyDirs() bool { return strings.ContainsRune(e.Type, 'l') }

func (e *Entry) clone() *Entry {
	c := *e
	c.ACL = append(acl.ACL(nil), e.ACL...)
	c.NameHistory = append([]json.RawMessage(nil), e.NameHistory...)
	if e.Extra != nil {
		c.Extra = make(map[string]json.RawMessage, len(e.Extra))
		for k, v := range e.Extra {
			c.Extra[k] = v
		}
	}
	return &c
}

func encodeEntry(e *Entry) ([]byte, error) {
	return json.Marshal(record{Entry: *e, ACLText: e.ACL.String()})
}

func decodeEntry(b []byte) (*Entry, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	a, err := acl.Parse(r.ACLText)
	if err != nil {
		return nil, err
	}
	r.Entry.ACL = a
	return &r.Entry, nil
}

// nameKey is the database key of a mailbox name.
func nameKey(name string) []byte {
	k := make([]byte, 0, len(name)+1)
	k = append(k, cyrusdb.PrefixMailbox...)
	return appendEncodedName(k, name)
}

// appendEncodedName maps hierarchy separators (after any "domain!") to NUL.
func appendEncodedName(k []byte, name string) []byte {
	start := strings.IndexByte(name, '!') + 1
	k = append(k, name[:start]...)
	for i := start; i < len(name); i++ {
		if name[i] == '.' {
			k = append(k, 0)
		} else {
			k = append(k, name[i])
		}
	}
	return k
}

// childPrefix is the key prefix of every descendant of name.
func childPrefix(name string) []byte { return append(nameKey(name), 0) }

func nameFromKey(k []byte) string {
	b := []byte(string(k[len(cyrusdb.PrefixMailbox):]))
	for i := range b {
		if b[i] == 0 {
			b[i] = '.'
		}
	}
	return string(b)
}
