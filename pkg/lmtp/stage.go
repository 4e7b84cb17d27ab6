package lmtp

import (
	"os"
	"path/filepath"

	"gocyrus/pkg/mailbox"
)

// CleanStage removes from every partition's stage directory the files of
// lmtpd processes that died before removing them, whatever their age
// (every mailbox that got the message holds its own hard link); files of
// running processes are theirs (mailbox.RemoveDeadTemps). It returns how
// many it removed.
func (s *Server) CleanStage() int {
	removed := 0
	for name, root := range s.store.Config().Partitions() {
		dead, err := mailbox.RemoveDeadTemps(filepath.Join(root, stageDirName))
		if err != nil && !os.IsNotExist(err) {
			s.log.Warn("cleaning a stage directory", "partition", name, "err", err)
		}
		removed += len(dead)
	}
	if removed > 0 {
		s.log.Info("removed stale spool files", "count", removed)
	}
	return removed
}
