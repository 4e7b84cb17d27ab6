package imapserver

// LIST-METADATA (RFC 9590): LIST ... RETURN (METADATA (entries)) follows
// each listed mailbox with the "* METADATA" GETMETADATA would send for it,
// under GETMETADATA's rules (metadata.go): the same entry checks, the same
// rights (l and r, l for the mailbox's administrators; without them the
// mailbox is listed with no METADATA, as Cyrus does), depth 0, no size
// limit (Cyrus takes no options here).

// writeListMetadata sends the METADATA response of one listed mailbox.
func (s *session) writeListMetadata(l *listed, entries []metaEntry) error {
	if !l.rights.Has(s.metadataReadRights(l.name)) {
		return nil
	}
	t := newMetaTarget(l.ext, l.name, l.entry)
	values, _, err := s.collectMetadata(t, entries, "0", -1)
	if err != nil || len(values) == 0 {
		return err
	}
	s.writeMetadataResponse(t, values)
	return nil
}
