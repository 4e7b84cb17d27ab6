package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
)

// ErrNotLegacy is returned by RelocateByID for a mailbox already in the
// uniqueid layout.
var ErrNotLegacy = errors.New("mailbox already relocated")

// Relocation says where RelocateByID moves (or, dry, would move) a
// mailbox's directory.
type Relocation struct {
	Name           string
	OldDir, NewDir string
	// Files are the mailbox's own files in OldDir (cyrus.* first, as
	// relocate_by_id -n lists them), filled in for a dry run only.
	Files []string
}

// RelocateByID moves the mailbox name from the legacy by-name directory
// to the uniqueid layout (relocate_by_id), or with dryRun only says
// where. Children are not moved: the caller relocates each mailbox of a
// tree, deepest first.
//
// Order, so that a crash anywhere leaves a mailbox that opens: the
// uniqueid directory is made in full under the mailbox's exclusive lock
// (mailbox.Rename: hard links, cyrus.header last, fsync'd), then the
// legacy files are removed (header first), then the list entry loses its
// legacy flag. Until the entry changes, Dir finds the mailbox where its
// legacy header is, else where the new one is (dirOfLegacy); a rerun
// finishes an interrupted relocation, or starts again, removing the partial
// copy, one that stopped before the legacy header went. Sessions
// that have the mailbox open see its files go as after a RENAME.
func (s *Store) RelocateByID(ctx context.Context, name string, dryRun bool) (Relocation, error) {
	e, err := s.list.Lookup(ctx, name)
	if err != nil {
		return Relocation{}, err
	}
	if !e.LegacyDirs() {
		return Relocation{}, fmt.Errorf("%s: %w", name, ErrNotLegacy)
	}
	root, err := s.PartitionPath(e.Partition)
	if err != nil {
		return Relocation{}, fmt.Errorf("%s: %w", name, err)
	}
	r := Relocation{
		Name:   name,
		OldDir: mboxname.LegacyPath(root, e.Name, s.cfg.Hashimapspool(), s.cfg.Fulldirhash()),
	}
	if e.UniqueID == "" || mboxname.ValidateUniqueID(e.UniqueID) != nil {
		return r, fmt.Errorf("%s: no valid uniqueid in its list entry (run reconstruct)", name)
	}
	r.NewDir = mboxname.UUIDPath(root, e.UniqueID)
	if dryRun {
		r.Files, err = ownFiles(r.OldDir)
		return r, err
	}
	oldHeader, newHeader := hasHeader(r.OldDir), hasHeader(r.NewDir)
	switch {
	case oldHeader:
		// Anything at the new place is what a relocation that crashed
		// before removing the legacy header left: a copy (hard links) no
		// session used, since Dir prefers the legacy header. It goes.
		if err := os.RemoveAll(r.NewDir); err != nil {
			return r, fmt.Errorf("removing debris of an earlier relocation of %s: %w", name, err)
		}
		if err := syncNewParents(root, r.NewDir); err != nil {
			return r, err
		}
		if err := mailbox.Rename(r.OldDir, r.NewDir, e.Name); err != nil {
			return r, fmt.Errorf("moving %s to %s: %w", r.OldDir, r.NewDir, err)
		}
	case newHeader:
		// Moved before a crash: what is left of the legacy files goes.
		if err := removeLeftovers(r.OldDir); err != nil {
			return r, err
		}
	default:
		return r, fmt.Errorf("%s: %w: no cyrus.header in %s or %s", name, mailbox.ErrNotFound, r.OldDir, r.NewDir)
	}
	if _, err := s.list.Modify(ctx, name, func(cur *mboxlist.Entry) error {
		if cur.UniqueID != e.UniqueID {
			return fmt.Errorf("%s changed while being relocated", name)
		}
		cur.Type = strings.ReplaceAll(cur.Type, "l", "")
		return nil
	}); err != nil {
		return r, fmt.Errorf("%s moved to %s but its list entry was not updated: %w (run relocate_by_id again)", name, r.NewDir, err)
	}
	s.publish(ctx, name)
	removeEmptyParents(root, r.OldDir)
	return r, nil
}

// removeEmptyParents removes the by-name directories a relocation emptied
// (user/, the hash letter), up to the partition root. rmdir refuses a
// directory that still holds anything, so nothing in use goes.
func removeEmptyParents(root, dir string) {
	for d := dir; d != root && strings.HasPrefix(d, root+string(filepath.Separator)); d = filepath.Dir(d) {
		if err := os.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			return
		}
	}
}

// dirOfLegacy is where the mailbox of a legacy entry is: its by-name
// directory, unless a relocation moved it to the uniqueid directory and
// stopped before its list entry changed (RelocateByID).
func dirOfLegacy(root string, e *mboxlist.Entry, hash, full bool) string {
	legacy := mboxname.LegacyPath(root, e.Name, hash, full)
	if e.UniqueID == "" || mboxname.ValidateUniqueID(e.UniqueID) != nil || hasHeader(legacy) {
		return legacy
	}
	if byID := mboxname.UUIDPath(root, e.UniqueID); hasHeader(byID) {
		return byID
	}
	return legacy
}

func hasHeader(dir string) bool { return Exists(filepath.Join(dir, "cyrus.header")) }

// ownFiles lists the mailbox's cyrus.* files in dir, then its messages
// and other files, leaving out child mailboxes' directories.
func ownFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // moved already, by a relocation that stopped short
	}
	if err != nil {
		return nil, err
	}
	var meta, rest []string
	for _, d := range ents {
		switch {
		case d.IsDir():
		case strings.HasPrefix(d.Name(), "cyrus."):
			meta = append(meta, d.Name())
		default:
			rest = append(rest, d.Name())
		}
	}
	return append(meta, rest...), nil
}

// removeLeftovers removes the files a relocation interrupted after its new
// header left in the legacy directory (none, when it finished).
func removeLeftovers(dir string) error {
	err := mailbox.Delete(dir)
	if err == nil || errors.Is(err, mailbox.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("removing what is left in %s: %w", dir, err)
}

// syncNewParents makes newDir and the directories above it (uuid/<a>/<b>)
// and fsyncs the parent of each one it created, so that the directory
// mailbox.Rename fills survives a crash.
func syncNewParents(root, newDir string) error {
	var created []string
	for d := newDir; d != root && strings.HasPrefix(d, root); d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		created = append(created, d)
	}
	if err := os.MkdirAll(newDir, 0o750); err != nil {
		return err
	}
	for _, d := range created {
		if err := syncDirPath(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

func syncDirPath(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
