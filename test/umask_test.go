package test

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestUmaskOption: imapd.conf's umask is the file creation mask of the tools and daemons,
// whatever mask they were started with (here 000): nothing ctl_cyrusdb -r creates (the
// databases) is readable by others under umask 027.
func TestUmaskOption(t *testing.T) {
	s := newSite(t, "umask: 027")
	cmd := exec.Command("/bin/sh", "-c", `umask 000 && exec "$0" -C "$1" -r`, filepath.Join(binDir, "ctl_cyrusdb"), s.imapdConf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ctl_cyrusdb -r: %v\n%s", err, out)
	}
	checked := 0
	for _, b := range []string{filepath.Join(s.configdir, "db")} {
		filepath.WalkDir(b, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			checked++
			if fi.Mode().Perm()&0o007 != 0 {
				t.Errorf("%s has mode %v under umask 027", p, fi.Mode().Perm())
			}
			return nil
		})
	}
	if checked < 2 {
		t.Fatalf("only %d files in %s/db", checked, s.configdir)
	}
}
