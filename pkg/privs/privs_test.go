package privs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDropToOwnerOf re-executes the test binary as root against a directory
// owned by an unprivileged uid and checks the child ends up as that uid and
// that a file it creates belongs to it.
func TestDropToOwnerOf(t *testing.T) {
	if dir := os.Getenv("PRIVS_TEST_DIR"); dir != "" {
		switched, err := DropToOwnerOf(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "made"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Logf("RESULT switched=%v uid=%d", switched, os.Getuid())
		return
	}
	if os.Geteuid() != 0 {
		switched, err := DropToOwnerOf(t.TempDir())
		if err != nil || switched {
			t.Fatalf("non-root: switched=%v err=%v", switched, err)
		}
		return
	}
	const uid, gid = 4242, 4243
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDropToOwnerOf$", "-test.v")
	cmd.Env = append(os.Environ(), "PRIVS_TEST_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "RESULT switched=true uid="+strconv.Itoa(uid)) {
		t.Fatalf("child did not switch:\n%s", out)
	}
	fuid, fgid, err := Owner(filepath.Join(dir, "made"))
	if err != nil || fuid != uid || fgid != gid {
		t.Fatalf("file owner = %d:%d (%v), want %d:%d", fuid, fgid, err, uid, gid)
	}
}

func TestRootOwnedDirIsLeftAlone(t *testing.T) {
	switched, err := DropToOwnerOf("/")
	if err != nil || switched {
		t.Fatalf("switched=%v err=%v", switched, err)
	}
}
