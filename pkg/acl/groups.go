package acl

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultGroupFile is where Cyrus's auth_mech unix finds groups.
const DefaultGroupFile = "/etc/group"

// GroupReader answers group membership the way Cyrus's default auth_mech
// unix does for users that may exist only for mail: from the member lists of
// the group file ("name:password:gid:user1,user2"). The file is parsed once
// and again whenever its modification time or size changes. A GroupReader
// is safe for concurrent use; the zero value reads /etc/group.
type GroupReader struct {
	Path string // "" means DefaultGroupFile

	mu      sync.Mutex
	modTime time.Time
	size    int64
	loaded  bool
	members map[string][]string // user -> sorted "group:name" identifiers
}

// GroupsOf returns the "group:<name>" identifiers of every group listing user
// as a member, sorted. A user in no group gets an empty list.
func (g *GroupReader) GroupsOf(user string) ([]string, error) {
	path := g.Path
	if path == "" {
		path = DefaultGroupFile
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("group file: %w", err)
	}
	if !g.loaded || !fi.ModTime().Equal(g.modTime) || fi.Size() != g.size {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("group file: %w", err)
		}
		g.members = ParseGroupFile(data)
		g.modTime, g.size, g.loaded = fi.ModTime(), fi.Size(), true
	}
	return slices.Clone(g.members[user]), nil
}

// ParseGroupFile maps each member to the "group:<name>" identifiers of its
// groups. Blank lines, comments, NIS "+"/"-" lines and lines without four
// fields are skipped: the file belongs to the system, not to us.
func ParseGroupFile(data []byte) map[string][]string {
	members := make(map[string][]string)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		fields := strings.Split(line, ":")
		if len(fields) != 4 || fields[0] == "" {
			continue
		}
		id := GroupPrefix + fields[0]
		for _, m := range strings.Split(fields[3], ",") {
			m = strings.TrimSpace(m)
			if m != "" && !slices.Contains(members[m], id) {
				members[m] = append(members[m], id)
			}
		}
	}
	for _, ids := range members {
		slices.Sort(ids)
	}
	return members
}
