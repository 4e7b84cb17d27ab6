package procinfo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Row is one session as cyr_info proc prints it.
type Row struct {
	Pid     int
	Service string // the cyrus.conf entry name
	Addr    string // the client's IP; "" for a unix socket
	User    string // "" before login
	Mailbox string // the selected mailbox's internal name, "" when none
	Command string // the running command, "" between commands
}

// String is Cyrus's cyr_info proc line (without the newline) for a client
// whose host name is host ("" when it has none): "pid service host [ip]
// user mailbox command", every field present even when empty, so a
// session between commands ends with a space as in Cyrus.
func (r Row) String(host string) string {
	client := "[" + r.Addr + "]"
	if r.Addr == "" {
		client = "[unix socket]"
	}
	if host != "" {
		client = host + " " + client
	}
	return fmt.Sprintf("%d %s %s %s %s %s", r.Pid, r.Service, client, r.User, r.Mailbox, r.Command)
}

// wire is the row as a process sends it: Cyrus's proc file line, the
// fields after the pid separated by tabs.
func (r Row) wire() string {
	return strings.Join([]string{clean(r.Service), clean(r.Addr), clean(r.User), clean(r.Mailbox), clean(r.Command)}, "\t") + "\n"
}

// parseWire reads a wire line of process pid.
func parseWire(pid int, line string) (Row, bool) {
	f := strings.Split(line, "\t")
	if len(f) != 5 {
		return Row{}, false
	}
	return Row{Pid: pid, Service: f[0], Addr: f[1], User: f[2], Mailbox: f[3], Command: f[4]}, true
}

// Bounds on what List accepts from one process: a stuck or hostile one
// costs a lister at most this long and this much memory.
const (
	readBound = 5 * time.Second
	maxLine   = 64 << 10
	maxReply  = 64 << 20
)

// List asks every process with a socket in dir (proc_path) for its
// sessions, by pid then start order. A socket nobody listens on is a dead
// process's (kill -9) and is removed; a process that does not answer in
// time is left out. A missing dir means no process is running.
func List(ctx context.Context, dir string) ([]Row, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("procinfo: %w", err)
	}
	type proc struct {
		pid  int
		path string
	}
	var procs []proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 || e.Type()&fs.ModeSocket == 0 {
			continue
		}
		procs = append(procs, proc{pid, filepath.Join(dir, e.Name())})
	}
	slices.SortFunc(procs, func(a, b proc) int { return a.pid - b.pid })
	var rows []Row
	for _, p := range procs {
		got, err := ask(ctx, p.pid, p.path)
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			os.Remove(p.path) // dead: nothing listens
		case err != nil:
			// Gone meanwhile, or not answering: left out.
		default:
			rows = append(rows, got...)
		}
	}
	return rows, nil
}

// ask reads process pid's rows from its socket at path.
func ask(ctx context.Context, pid int, path string) ([]Row, error) {
	ctx, cancel := context.WithTimeout(ctx, readBound)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetReadDeadline(dl)
	}
	sc := bufio.NewScanner(io.LimitReader(c, maxReply))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var rows []Row
	for sc.Scan() {
		if r, ok := parseWire(pid, sc.Text()); ok {
			rows = append(rows, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("procinfo: reading process %d: %w", pid, err)
	}
	return rows, nil
}

// lookupBound bounds one reverse lookup: an unreachable DNS server delays
// a listing, never hangs it.
const lookupBound = 2 * time.Second

// HostName is the name of ip as Cyrus's clienthost shows it, "" when it
// has none (or none in time). Looked up when listing, never per session.
func HostName(ctx context.Context, ip string) string {
	if ip == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, lookupBound)
	defer cancel()
	names, err := net.DefaultResolver.LookupAddr(ctx, ip)
	if err != nil || len(names) == 0 {
		return ""
	}
	return strings.TrimSuffix(names[0], ".")
}
