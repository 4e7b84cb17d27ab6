package imapserver

import (
	"errors"
	"slices"
	"strconv"

	"gocyrus/pkg/imapserver/wire"
)

// cmdGetMetadata: RFC 5464 §4.2 with MAXSIZE and DEPTH. The values go in
// one "* METADATA mailbox (entry value ...)"; a requested entry without
// any value is reported NIL (as Cyrus does); values over MAXSIZE are left
// out and the longest of them is named in [METADATA LONGENTRIES n].
func cmdGetMetadata(s *session, c wire.Command) (reply, error) {
	gc, err := wire.ParseGetMetadata(s.r)
	if err != nil {
		return reply{}, err
	}
	entries, err := parseMetaEntries(gc.Entries)
	if err != nil {
		return reply{}, err
	}
	t, _, err := s.metaTarget(gc.Mailbox)
	if err != nil {
		return reply{}, err
	}
	values, longest, err := s.collectMetadata(t, entries, gc.Depth, gc.MaxSize)
	if err != nil {
		return reply{}, err
	}
	if len(values) > 0 {
		s.writeMetadataResponse(t, values)
	}
	if longest > 0 {
		return reply{Code: "METADATA LONGENTRIES " + strconv.Itoa(longest)}, nil
	}
	return reply{}, nil
}

// maxMetaEntries bounds the distinct entries one command asks for: the
// answer is a line per mailbox with each of them.
const maxMetaEntries = 256

// parseMetaEntries checks the entry names of GETMETADATA or LIST RETURN
// (METADATA): every name valid (scope roots allowed, for DEPTH), duplicates
// dropped, at most maxMetaEntries.
func parseMetaEntries(names []string) ([]metaEntry, error) {
	var entries []metaEntry
	for _, name := range names {
		e, err := parseMetaEntry(name, true)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(entries, e) {
			entries = append(entries, e)
		}
		if len(entries) > maxMetaEntries {
			return nil, bad("Too many metadata entries")
		}
	}
	return entries, nil
}

// collectMetadata reads the values of entries on t as GETMETADATA reports
// them: a requested entry without any value is NIL (as Cyrus does), values
// over maxSize (-1: none) are left out and the longest of them returned.
func (s *session) collectMetadata(t *metaTarget, entries []metaEntry, depth string, maxSize int64) ([]metaValue, int, error) {
	var values []metaValue
	done := make(map[string]bool)
	longest := 0
	for _, e := range entries {
		found, err := s.readMetadata(t, e, depth)
		if err != nil {
			return nil, 0, err
		}
		if len(found) == 0 && e.key != "" && !done[e.name()] {
			done[e.name()] = true
			values = append(values, metaValue{name: e.name()})
		}
		for _, v := range found {
			if done[v.name] {
				continue
			}
			done[v.name] = true
			if maxSize >= 0 && int64(len(v.value)) > maxSize {
				longest = max(longest, len(v.value))
				continue
			}
			values = append(values, v)
		}
	}
	return values, longest, nil
}

// writeMetadataResponse sends "* METADATA mailbox (entry value ...)".
// Values holding NUL go as literal8 (RFC 5464 §5: binary values).
func (s *session) writeMetadataResponse(t *metaTarget, values []metaValue) {
	w := s.w
	w.Star().Atom("METADATA ")
	if t.entry == nil {
		w.String("")
	} else {
		w.AString(t.ext)
	}
	w.Atom(" (")
	for i, v := range values {
		if i > 0 {
			w.SP()
		}
		w.String(v.name).SP() // quoted, as Cyrus writes entry names
		switch {
		case v.value == nil:
			w.NIL()
		case containsNUL(v.value):
			w.Atom("~").LiteralBytes(v.value)
		default:
			w.String(string(v.value))
		}
	}
	w.Close().CRLF()
}

func containsNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

// cmdSetMetadata: RFC 5464 §4.3. Every entry is checked (name, rights,
// size) before any is written, so a refusal changes nothing.
func cmdSetMetadata(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseSetMetadata(s.r)
	var we *wire.Error
	if errors.As(err, &we) && we.Code == "TOOBIG" && !we.Fatal {
		// A synchronising literal refused before it was sent (RFC 5464 §4.3).
		return reply{}, s.errMetadataTooBig()
	}
	if err != nil {
		return reply{}, err
	}
	entries := make([]metaEntry, len(sc.Entries))
	for i, en := range sc.Entries {
		if entries[i], err = parseMetaEntry(en.Name, false); err != nil {
			return reply{}, err
		}
	}
	t, rights, err := s.metaTarget(sc.Mailbox)
	if err != nil {
		return reply{}, err
	}
	for i, e := range entries {
		if err := s.mayStoreMetadata(t, rights, e); err != nil {
			return reply{}, err
		}
		if len(sc.Entries[i].Value) > s.srv.maxMetadata {
			return reply{}, s.errMetadataTooBig()
		}
	}
	counts := &metaCounts{}
	for i, e := range entries {
		if err := s.writeMetadata(t, e, sc.Entries[i].Value, counts); err != nil {
			return reply{}, err
		}
	}
	return reply{}, nil
}

// errMetadataTooBig names the largest value accepted (RFC 5464 §4.3).
func (s *session) errMetadataTooBig() error {
	return noCode("METADATA MAXSIZE "+strconv.Itoa(s.srv.maxMetadata), "Value too long")
}
