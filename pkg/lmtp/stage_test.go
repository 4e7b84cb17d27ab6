package lmtp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gocyrus/pkg/mailbox"
)

// TestCleanStageRemovesDeadOwnersFiles: a stage file left by an lmtpd that
// died goes at once, however young; a running process's stays.
func TestCleanStageRemovesDeadOwnersFiles(t *testing.T) {
	srv, _ := newTestServer(t, []string{"user.alice"})
	root, err := srv.store.PartitionPath("default")
	if err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(root, stageDirName)
	if err := os.MkdirAll(stage, 0o750); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(stage, fmt.Sprintf("tmp.%d-1.123", cmd.Process.Pid))
	legacy := filepath.Join(stage, "tmp.4567")
	for _, p := range []string{dead, legacy} {
		if err := os.WriteFile(p, []byte("Subject: x\r\n\r\nx\r\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := mailbox.CreateTemp(stage, "")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	live := f.Name()
	if n := srv.CleanStage(); n != 2 {
		t.Errorf("CleanStage removed %d files, want 2", n)
	}
	for _, p := range []string{dead, legacy} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s survived CleanStage", filepath.Base(p))
		}
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a running process's stage file was removed: %v", err)
	}
}
