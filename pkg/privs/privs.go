package privs

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// Owner reports the uid and gid that own dir.
func Owner(dir string) (uid, gid int, err error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, fmt.Errorf("privs: cannot read the owner of %s", dir)
	}
	return int(st.Uid), int(st.Gid), nil
}

// DropToOwnerOf switches to the owner of dir when the process runs as root
// and dir is owned by someone else. It returns whether a switch happened.
func DropToOwnerOf(dir string) (bool, error) {
	if os.Geteuid() != 0 {
		return false, nil
	}
	uid, gid, err := Owner(dir)
	if err != nil {
		return false, fmt.Errorf("privs: %w", err)
	}
	if uid == 0 {
		return false, nil
	}
	if err := SwitchTo(uid, gid); err != nil {
		return false, fmt.Errorf("privs: must run as the owner of %s (uid %d): %w", dir, uid, err)
	}
	return true, nil
}

// SwitchTo sets the supplementary groups of uid's account (just gid when
// the uid has no passwd entry: mail-only installs), then gid, then uid.
func SwitchTo(uid, gid int) error {
	groups := []int{gid}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		if ids, err := u.GroupIds(); err == nil {
			for _, s := range ids {
				if g, err := strconv.Atoi(s); err == nil && g != gid {
					groups = append(groups, g)
				}
			}
		}
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("setgid: %w", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("setuid: %w", err)
	}
	return nil
}
