package imapserver

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"gocyrus/pkg/imapserver/search"
	"gocyrus/pkg/squat"
)

// squatCache keeps the selected mailbox's full-text index (squatter's
// cyrus.gosquat) between searches while its file is unchanged, and
// remembers one found unusable so it is logged once, not per search.
type squatCache struct {
	fi  fs.FileInfo
	ix  *squat.Index // nil: the file is unusable
	bad bool
}

// textIndex returns the selected mailbox's full-text index for SEARCH,
// (the view's uidValidity), or nil when there is none or it cannot be used: a damaged file is
// logged and searched without, a stale one (another UIDVALIDITY) is
// ignored. Messages appended after it was written are simply not
// covered (search.TextIndex).
func (s *session) textIndex(uidValidity uint32) search.TextIndex {
	sel := s.sel
	f, err := os.Open(filepath.Join(sel.mb.Dir(), squat.FileName))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("full-text index unreadable, searching without it", "mailbox", sel.name, "err", err)
		}
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.log.Warn("full-text index unreadable, searching without it", "mailbox", sel.name, "err", err)
		return nil
	}
	c := &sel.squat
	if c.fi == nil || !os.SameFile(c.fi, fi) || c.fi.Size() != fi.Size() || !c.fi.ModTime().Equal(fi.ModTime()) {
		*c = squatCache{fi: fi}
		data, err := io.ReadAll(f)
		if err == nil {
			c.ix, err = squat.Parse(data)
		}
		if err != nil {
			c.bad = true
			s.log.Warn("full-text index unusable, searching without it (run squatter)", "mailbox", sel.name, "err", err)
		}
	}
	if c.bad || c.ix.UIDValidity != uidValidity {
		return nil
	}
	return c.ix
}
