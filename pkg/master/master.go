package master

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/privs"
)

// DBServer is the database service master runs between START and shutdown
// (cyrusdb.Server in production).
type DBServer interface {
	Serve() error // blocks until Close
	Close() error
}

// Options configure a Master. Config, CyrusConf and CyrusConfPath are required.
type Options struct {
	Config        *config.Config    // imapd.conf
	CyrusConf     *config.CyrusConf // validated with Validate
	CyrusConfPath string            // re-read on SIGHUP
	// ImapdConfPath, when set, is passed to every child as "-C path" (master's own -C).
	ImapdConfPath string
	PidFile       string // "" = DefaultPidFile, or <configdirectory>/master.pid
	Backlog       int    // listen(2) backlog; 0 = 32
	Verbose       int    // CYRUS_VERBOSE for children
	BinDir        string // searched for programs before PATH (the master binary's directory)
	// ChildOutput receives the stdout and stderr of services and daemons (nil = os.Stderr).
	// Output of START entries and events is logged line by line instead.
	ChildOutput io.Writer
	// Logger receives every line; master adds service=<name> pid=<pid> to each (nil = discard).
	Logger *slog.Logger
	// OpenDB opens the databases after START (nil = master serves no databases).
	OpenDB func(configdir string) (DBServer, error)
	// DropPrivileges switches to the owner of configdirectory (nil = privs.DropToOwnerOf).
	DropPrivileges func(dir string) (bool, error)
	// ShutdownTimeout bounds the wait for children on shutdown (0 = imapd.conf's
	// master_shutdown_timeout, else 15 s); then SIGKILL to their process groups.
	ShutdownTimeout time.Duration
	// ReadyTimeout bounds the wait for a wait=y daemon's "ok" (0 = 60 s).
	ReadyTimeout time.Duration
	// Started is called once every service, daemon and event is set up.
	Started func()
	// CrashBackoff is the first pause after a service failed failureLimit times within
	// failureWindow (0 = 1 s); each further such burst doubles it up to CrashBackoffMax
	// (0 = 1 min).
	CrashBackoff, CrashBackoffMax time.Duration
	// AfterCrash, when set, runs after a child died abnormally, once the
	// databases are served: the repair of what a process can leave half
	// done (quota charged ahead of an index commit). Runs never overlap;
	// deaths during a run cause one more run; the databases close only
	// after the last.
	AfterCrash func(ctx context.Context)
}

const (
	defaultBacklog         = 32
	defaultShutdownTimeout = 15 * time.Second
	defaultReadyTimeout    = 60 * time.Second
	// idleTimeoutPrefork0 is how long a prefork=0 service's process lingers without connections.
	idleTimeoutPrefork0 = 60 * time.Second
	failureWindow       = 10 * time.Second
	failureLimit        = 5
	// defaultCrashBackoff and defaultCrashBackoffMax bound the pause of a crashing service.
	defaultCrashBackoff    = time.Second
	defaultCrashBackoffMax = time.Minute
)

// Master is one supervisor run. Create with New, then Run once.
type Master struct {
	opts Options
	// crashed asks the AfterCrash worker for a run; closed at shutdown.
	crashed    chan struct{}
	repairDone chan struct{}
	log        *slog.Logger
	cc         *config.CyrusConf // as run: Debian's wrapper resolved, programs not shipped left out
	reported   map[string]bool   // entries already reported as not shipped (file:line:name)

	services map[string]*serviceState
	daemons  map[string]*daemonState
	events   map[string]*eventState
	children map[int]*child
	leftover map[int]struct{} // process groups of reaped children that still have members
	nextID   int
	nofile   int  // RLIMIT_NOFILE at start: caps prefork and the number of children
	fdFull   bool // a service process was not started for want of descriptors

	lifelineR, lifelineW *os.File
	calls                chan func()
	quit                 chan struct{} // closed when Run returns: late posts are dropped
	stopping             bool

	db     DBServer
	dbDone chan error
	pid    *pidFile
}

// New checks opts and prepares a Master.
func New(opts Options) (*Master, error) {
	if opts.Config == nil || opts.CyrusConf == nil || opts.CyrusConfPath == "" {
		return nil, errors.New("master: Config, CyrusConf and CyrusConfPath are required")
	}
	if err := Validate(opts.CyrusConf); err != nil {
		return nil, err
	}
	if opts.Backlog <= 0 {
		opts.Backlog = defaultBacklog
	}
	if opts.ChildOutput == nil {
		opts.ChildOutput = os.Stderr
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = opts.Config.MasterShutdownTimeout()
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = defaultShutdownTimeout
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = defaultReadyTimeout
	}
	if opts.CrashBackoff <= 0 {
		opts.CrashBackoff = defaultCrashBackoff
	}
	if opts.CrashBackoffMax < opts.CrashBackoff {
		opts.CrashBackoffMax = max(defaultCrashBackoffMax, opts.CrashBackoff)
	}
	if opts.DropPrivileges == nil {
		opts.DropPrivileges = privs.DropToOwnerOf
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Master{
		opts:     opts,
		log:      log,
		reported: make(map[string]bool),
		services: make(map[string]*serviceState),
		daemons:  make(map[string]*daemonState),
		events:   make(map[string]*eventState),
		children: make(map[int]*child),
		leftover: make(map[int]struct{}),
		nofile:   nofileLimit(),
		calls:    make(chan func(), 64),
		quit:     make(chan struct{}),
	}
	m.cc = m.programs(opts.CyrusConf)
	return m, nil
}

// Validate checks what the cyrus.conf parser cannot: every listen address resolves. Errors name
// file:line.
func Validate(cc *config.CyrusConf) error {
	var errs []error
	for _, e := range cc.Services {
		if _, err := listenAddr(e); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: service %q: %w", e.File, e.Line, e.Name, err))
		}
	}
	for _, list := range [][]config.Entry{cc.Start, cc.Services, cc.Events, cc.Daemons} {
		for _, e := range list {
			if len(e.Cmd) == 0 {
				errs = append(errs, fmt.Errorf("%s:%d: %q: empty cmd", e.File, e.Line, e.Name))
			}
		}
	}
	return errors.Join(errs...)
}

// logFor is the logger for lines about one process: service=<name> pid=<pid>.
func (m *Master) logFor(name string, pid int) *slog.Logger {
	return m.log.With("service", name, "pid", pid)
}

// mlog is the logger for master's own lines.
func (m *Master) mlog() *slog.Logger { return m.logFor("master", os.Getpid()) }

// post hands fn to the loop; after Run has returned it is dropped.
func (m *Master) post(fn func()) {
	select {
	case m.calls <- fn:
	case <-m.quit:
	}
}

// after posts fn to the loop once d has passed.
func (m *Master) after(d time.Duration, fn func()) *time.Timer {
	return time.AfterFunc(d, func() { m.post(fn) })
}

func (m *Master) configdir() string { return m.opts.Config.Configdirectory() }
