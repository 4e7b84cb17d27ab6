package cyradm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
)

// LineReader supplies command lines: a terminal with a prompt, or a script.
type LineReader interface {
	// ReadLine returns the next line without its newline, or io.EOF.
	ReadLine(prompt string) (string, error)
}

// Shell runs cyradm commands against one connection at a time.
type Shell struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Connector      *Connector

	ctx    context.Context
	client *Client
	server string

	status   int  // the exit status of the last failing command
	exitCode int  // set by exit
	exited   bool // exit was run
}

// NewShell returns a shell on the process's standard streams.
func NewShell(k *Connector) *Shell {
	return &Shell{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Connector: k, ctx: context.Background()}
}

// Attach makes c (connected to server) the shell's connection.
func (s *Shell) Attach(c *Client, server string) {
	s.client, s.server = c, server
}

// Client is the current connection, nil when disconnected.
func (s *Shell) Client() *Client { return s.client }

// Prompt is "server> ", or "cyradm> " without a connection.
func (s *Shell) Prompt() string {
	if s.client == nil {
		return "cyradm> "
	}
	return s.server + "> "
}

// Exited reports whether the exit command ran, and the status to exit with.
func (s *Shell) Exited() (bool, int) { return s.exited, s.exitCode }

// Status is the exit status of the last failing command (0 if none failed).
func (s *Shell) Status() int { return s.status }

// Close logs out of the current server.
func (s *Shell) Close() {
	if s.client != nil {
		s.client.Logout()
		s.client = nil
	}
}

// Run executes lines from r until EOF or exit, and returns the status to
// exit with.
func (s *Shell) Run(r LineReader) int {
	for !s.exited {
		line, err := r.ReadLine(s.Prompt())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintln(s.Stderr, err)
				s.status = 1
			}
			break
		}
		s.Exec(line)
	}
	if s.exited {
		return s.exitCode
	}
	return s.status
}

// Exec runs one command line and returns the status of its last command.
func (s *Shell) Exec(line string) int {
	if s.ctx == nil {
		s.ctx = context.Background()
	}
	cmds, err := ParseLine(line, s.Getenv)
	if err != nil {
		fmt.Fprintln(s.Stderr, err)
		s.status = 1
		return 1
	}
	rc := 0
	for _, cmd := range cmds {
		if s.exited {
			break
		}
		rc = s.execCommand(cmd)
		if rc != 0 {
			s.status = rc
		}
	}
	return rc
}

// stdio are one command's streams after its redirections.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func (s *Shell) execCommand(cmd Command) int {
	if len(cmd.Args) == 0 {
		return 0
	}
	def := lookupCommand(cmd.Args[0])
	if def == nil {
		return s.runExternal(cmd)
	}
	st, closeAll, err := s.redirect(cmd.Redirs)
	if err != nil {
		fmt.Fprintln(s.Stderr, err)
		return 1
	}
	defer closeAll()
	err = def.run(s, st, cmd.Args[1:])
	rc := 0
	switch e := err.(type) {
	case nil:
	case *usageError:
		fmt.Fprintf(st.err, "usage: %s\n", e.usage)
		rc = 1
	case *exitError:
		rc = e.code
	default:
		if !errors.Is(err, errQuietFailure) {
			fmt.Fprintln(st.err, err)
		}
		rc = 1
	}
	if s.client != nil && s.client.Closed() {
		fmt.Fprintln(s.Stderr, "\nConnection to server lost.")
		s.client = nil
	}
	return rc
}

// runExternal runs a command that is not a builtin with /bin/sh, as
// Cyrus's cyradm does; sh applies the redirections itself.
func (s *Shell) runExternal(cmd Command) int {
	c := exec.CommandContext(s.ctx, "/bin/sh", "-c", cmd.Text)
	c.Stdin, c.Stdout, c.Stderr = s.Stdin, s.Stdout, s.Stderr
	if err := c.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintf(s.Stderr, "%s: %v\n", cmd.Args[0], err)
		return 1
	}
	return 0
}

// redirect opens a command's redirections.
func (s *Shell) redirect(redirs []Redirect) (stdio, func(), error) {
	streams := [3]any{s.Stdin, s.Stdout, s.Stderr}
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, r := range redirs {
		if r.FD > 2 {
			closeAll()
			return stdio{}, nil, fmt.Errorf("file descriptor %d not supported", r.FD)
		}
		switch r.Op {
		case ">", ">>", "<":
			flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			if r.Op == ">>" {
				flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
			} else if r.Op == "<" {
				flags = os.O_RDONLY
			}
			f, err := os.OpenFile(r.Target, flags, 0o666)
			if err != nil {
				closeAll()
				return stdio{}, nil, fmt.Errorf("%s: %v", r.Target, unwrapPath(err))
			}
			files = append(files, f)
			streams[r.FD] = f
		default: // N>&M, N>&-
			if r.Target == "-" {
				if r.FD == 0 {
					streams[0] = eofReader{}
				} else {
					streams[r.FD] = io.Discard
				}
				continue
			}
			src, _ := strconv.Atoi(r.Target)
			if src > 2 || streams[src] == nil {
				closeAll()
				return stdio{}, nil, fmt.Errorf("file descriptor `%s' not open", r.Target)
			}
			streams[r.FD] = streams[src]
		}
	}
	st := stdio{}
	var ok bool
	if st.in, ok = streams[0].(io.Reader); !ok {
		st.in = eofReader{}
	}
	if st.out, ok = streams[1].(io.Writer); !ok {
		st.out = io.Discard
	}
	if st.err, ok = streams[2].(io.Writer); !ok {
		st.err = io.Discard
	}
	return st, closeAll, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// usageError prints "usage: ..." and fails.
type usageError struct{ usage string }

func (e *usageError) Error() string { return "usage: " + e.usage }

// exitError ends the shell with a status.
type exitError struct{ code int }

func (e *exitError) Error() string { return "exit " + strconv.Itoa(e.code) }

// errQuietFailure fails a command that already said why (or, like an empty
// listmailbox, says nothing: Cyrus returns 1 then).
var errQuietFailure = errors.New("command failed")

// needClient returns the connection or Cyrus's "no connection" error.
func (s *Shell) needClient(name string) (*Client, error) {
	if s.client == nil {
		return nil, fmt.Errorf("%s: no connection to server", name)
	}
	return s.client, nil
}
