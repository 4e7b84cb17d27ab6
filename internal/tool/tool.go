// Package tool is the plumbing every admin command shares: Cyrus-style
// single-letter flags (combinable: -rf), -C imapd.conf, the switch to the
// user that owns configdirectory, opening the databases online or offline,
// and the exit contract (0, or a one-line reason on stderr and non-zero).
package tool

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/getopt"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/privs"
	"gocyrus/pkg/store"
)

// Exit codes from sysexits.h, as Cyrus's tools use them.
const (
	ExitUsage    = 64 // EX_USAGE
	ExitDataErr  = 65 // EX_DATAERR
	ExitNoInput  = 66 // EX_NOINPUT
	ExitSoftware = 70 // EX_SOFTWARE
	ExitTempFail = 75 // EX_TEMPFAIL
	ExitConfig   = 78 // EX_CONFIG
)

// DefaultConfig is where imapd.conf is looked for without -C.
const DefaultConfig = "/etc/imapd.conf"

// Error carries an exit status with a message.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Fail returns an error that exits with code.
func Fail(code int, format string, a ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, a...)}
}

// ConfigFlag is the -C flag every tool takes.
func ConfigFlag() cli.Flag {
	return &cli.StringFlag{Name: "C", Value: DefaultConfig, Usage: "use `FILE` instead of " + DefaultConfig}
}

// Run runs cmd with args (read by Cyrus's getopt rules, internal/getopt)
// and returns the process exit status, printing a failure as
// "<name>: <reason>" on stderr.
func Run(cmd *cli.Command, args []string, stderr io.Writer) int {
	if cmd.ErrWriter == nil {
		cmd.ErrWriter = stderr
	}
	err := getopt.Run(cmd, args, func(err error) error {
		return &Error{Code: ExitUsage, Err: fmt.Errorf("%v (see %s -h)", err, cmd.Name)}
	})
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd.Name, err)
	var te *Error
	if errors.As(err, &te) {
		return te.Code
	}
	var pe *config.ParseError
	if errors.As(err, &pe) {
		return ExitConfig
	}
	return 1
}

// Env is what a tool works with once set up.
type Env struct {
	Cfg    *config.Config
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
}

// Setup loads the configuration named by -C (with <program>_<option>
// overrides), prints its warnings, and, when running as root, switches to
// the owner of configdirectory.
func Setup(cmd *cli.Command, program string) (*Env, error) {
	path := cmd.String("C")
	cfg, err := config.LoadImapd(path)
	if err != nil {
		return nil, &Error{Code: ExitConfig, Err: err}
	}
	cfg = cfg.ForService(program)
	syscall.Umask(cfg.Umask() & 0o777) // before any file is created
	stderr := cmd.ErrWriter
	if stderr == nil {
		stderr = os.Stderr
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(stderr, "%s: warning: %s\n", program, w)
	}
	dir := cfg.Configdirectory()
	if dir == "" {
		return nil, Fail(ExitConfig, "%s: configdirectory is not set", path)
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, Fail(ExitConfig, "configdirectory %s: %v", dir, errors.Unwrap(err))
	}
	if _, err := privs.DropToOwnerOf(dir); err != nil {
		return nil, Fail(ExitConfig, "%v", err)
	}
	stdout := cmd.Writer
	if stdout == nil {
		stdout = os.Stdout
	}
	return &Env{
		Cfg: cfg, Stdin: cmd.Reader, Stdout: stdout, Stderr: stderr,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}, nil
}

// SetupStore is Setup followed by Env.Store: what every tool working on
// mailboxes starts with. The caller closes st.DB().
func SetupStore(cmd *cli.Command, program string) (*Env, *store.Store, error) {
	env, err := Setup(cmd, program)
	if err != nil {
		return nil, nil, err
	}
	st, err := env.Store()
	if err != nil {
		return nil, nil, err
	}
	return env, st, nil
}

// OpenDB opens the databases: through master's db service when it runs,
// else directly.
func (e *Env) OpenDB() (cyrusdb.DB, error) {
	db, err := cyrusdb.Open(e.Cfg.Configdirectory(), cyrusdb.Options{Logger: e.Log})
	if err != nil {
		return nil, Fail(ExitTempFail, "%v", err)
	}
	return settlingDB{db}, nil
}

// settlingDB settles the quota marks of the tool's appends
// (store.SettlePending) before it closes the databases, so a tool that
// delivered or imported and exits cleanly leaves no pending mark.
type settlingDB struct{ cyrusdb.DB }

func (d settlingDB) Close() error {
	store.SettlePending()
	return d.DB.Close()
}

// ConfigPath returns a path under configdirectory.
func (e *Env) ConfigPath(elem ...string) string {
	return filepath.Join(append([]string{e.Cfg.Configdirectory()}, elem...)...)
}

// Store opens the databases and returns the mail store over them.
func (e *Env) Store() (*store.Store, error) {
	db, err := e.OpenDB()
	if err != nil {
		return nil, err
	}
	s, err := store.New(e.Cfg, db, e.Log)
	if err != nil {
		db.Close()
		return nil, Fail(ExitConfig, "%v", err)
	}
	return s, nil
}

// Internal turns a mailbox name given on the command line, in the
// administrator's external form (user/alice with unixhierarchysep), into
// the internal name; with users true the argument is a userid.
func (e *Env) Internal(arg string, users bool) (string, error) {
	ns := mboxname.NamespaceFromConfig(e.Cfg)
	if users {
		if err := mboxname.ValidateUserID(arg); err != nil {
			return "", err
		}
		return ns.UserInbox(arg), nil
	}
	return ns.ToInternal(arg, "", true)
}

// External turns an internal name into the administrator's external form.
func (e *Env) External(internal string) string {
	ns := mboxname.NamespaceFromConfig(e.Cfg)
	if ext, err := ns.ToExternal(internal, "", true); err == nil {
		return ext
	}
	return internal
}
