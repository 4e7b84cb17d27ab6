package search

import (
	"bytes"
	"encoding/hex"

	"gocyrus/pkg/imapserver/wire"
)

// The SAVEDATE (RFC 8514) and OBJECTID (RFC 8474) keys: all decided from
// the index record (costIndex).

// emailIDLen is Cyrus's EMAILID: "M" and 24 hex digits (12 GUID bytes).
const emailIDLen = 1 + 24

// compileObjData prepares the keys of this file; false: not one of them.
func compileObjData(key *wire.SearchKey, n *node) bool {
	switch key.Op {
	case wire.SearchSavedBefore, wire.SearchSavedOn, wire.SearchSavedSince:
		n.day = key.Date
	case wire.SearchSaveDateSupported, wire.SearchThreadID:
	case wire.SearchEmailID:
		// Anything else names no message of ours: it matches nothing
		// (as in Cyrus), it is not an error.
		if v := key.Value; len(v) == emailIDLen && v[0] == 'M' {
			if id, err := hex.DecodeString(v[1:]); err == nil && hex.EncodeToString(id) == v[1:] {
				n.id = id
			}
		}
	default:
		return false
	}
	return true
}

// evalObjData evaluates the keys of this file (no for any other).
func (n *node) evalObjData(m *message) tri {
	rec := &m.c.Record
	switch n.op {
	case wire.SearchSaveDateSupported:
		return yes // every record keeps its save date
	case wire.SearchThreadID:
		return no // no conversations: no message has a THREADID
	case wire.SearchEmailID:
		return truth(n.id != nil && bytes.Equal(rec.GUID[:len(n.id)], n.id))
	case wire.SearchSavedBefore, wire.SearchSavedOn, wire.SearchSavedSince:
		// A record without a save date (none is written so, but an index
		// could be edited by hand) is taken as saved on its internal date,
		// as FETCH SAVEDATE's NIL allows (RFC 8514 §4).
		saved := rec.SaveDate()
		if saved.IsZero() {
			saved = rec.InternalDate()
		}
		return truth(compareDay(savedAsInternal[n.op], dayOf(saved.UTC()), n.day))
	}
	return no
}

// savedAsInternal maps a SAVED* key to the INTERNALDATE key compareDay knows.
var savedAsInternal = map[wire.SearchOp]wire.SearchOp{
	wire.SearchSavedBefore: wire.SearchBefore,
	wire.SearchSavedOn:     wire.SearchOn,
	wire.SearchSavedSince:  wire.SearchSince,
}
