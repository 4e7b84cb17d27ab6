package lmtp

import (
	"os"
	"path/filepath"
	"time"
)

// staleSpoolAge is how old a stage file must be to be removed as stale:
// longer than any delivery may run, so that files of other lmtpd
// processes that are still delivering are never touched.
const staleSpoolAge = 2 * deliverTimeout

// CleanStage removes stale files from every partition's stage directory:
// messages spooled by an lmtpd that died before removing them (every
// mailbox that got the message holds its own hard link). It returns how
// many it removed.
func (s *Server) CleanStage() int {
	removed := 0
	cutoff := time.Now().Add(-staleSpoolAge)
	for name, root := range s.store.Cfg.Partitions() {
		dir := filepath.Join(root, stageDirName)
		entries, err := os.ReadDir(dir)
		if err != nil {
			if !os.IsNotExist(err) {
				s.log.Warn("reading a stage directory", "partition", name, "err", err)
			}
			continue
		}
		for _, de := range entries {
			info, err := de.Info()
			if err != nil || !info.Mode().IsRegular() || info.ModTime().After(cutoff) {
				continue
			}
			if err := os.Remove(filepath.Join(dir, de.Name())); err == nil {
				removed++
			}
		}
	}
	if removed > 0 {
		s.log.Info("removed stale spool files", "count", removed)
	}
	return removed
}
