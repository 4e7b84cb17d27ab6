package imapserver

import (
	"errors"
	"io/fs"
	"path/filepath"

	"gocyrus/pkg/imapserver/search"
	"gocyrus/pkg/squat"
)

// squatCache is the session's hold on the selected mailbox's full-text
// index (squatter's cyrus.gosquat): a Ref to the process's one shared
// mapping of it (Server.squat), kept between searches while the file is
// the same version and released with the mailbox (unselect). A damaged
// version is held too, so it is logged once and not checked again.
type squatCache struct {
	ref *squat.Ref
}

// release drops the hold; the last session's release unmaps the file.
func (c *squatCache) release() {
	c.ref.Close()
	c.ref = nil
}

// textIndex returns the selected mailbox's full-text index for SEARCH
// (the view's uidValidity), or nil when there is none or it cannot be
// used: a damaged file is logged and searched without, a stale one
// (another UIDVALIDITY) is ignored. Messages appended after it was
// written are simply not covered (search.TextIndex). The index is read
// in place from the shared mapping: a search costs no heap for it.
func (s *session) textIndex(uidValidity uint32) search.TextIndex {
	sel := s.sel
	c := &sel.squat
	path := filepath.Join(sel.mb.Dir(), squat.FileName)
	v, err := squat.StatVersion(path)
	if err == nil && (c.ref == nil || c.ref.Version() != v) {
		c.release()
		c.ref, err = s.srv.squat.Open(path)
		if err == nil && c.ref.Err() != nil {
			s.log.Warn("full-text index unusable, searching without it (run squatter)", "mailbox", sel.name, "err", c.ref.Err())
		}
	}
	if err != nil {
		c.release()
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("full-text index unreadable, searching without it", "mailbox", sel.name, "err", err)
		}
		return nil
	}
	if c.ref.Err() != nil || c.ref.Faulted() || c.ref.UIDValidity() != uidValidity {
		return nil
	}
	return c.ref
}
