package sieveshell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"golang.org/x/term"

	"gocyrus/pkg/sieveclient"
)

// Env is what a program run sees of its process: standard input (the
// password and, for sieveshell, the commands), its outputs, and the login
// user ($USER), the default identity.
type Env struct {
	In       io.Reader
	Out, Err io.Writer
	User     string

	in                   *bufio.Reader
	newlineAfterPassword bool
}

// stdin is In, buffered once so a password line and the command lines
// after it come from the same reader.
func (e *Env) stdin() *bufio.Reader {
	if e.in == nil {
		e.in = bufio.NewReader(e.In)
	}
	return e.in
}

// terminal returns In's descriptor when it is a terminal.
func (e *Env) terminal() (int, bool) {
	f, ok := e.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// readLine reads a line of standard input without its line end; ok is
// false at the end of input.
func (e *Env) readLine() (string, bool) {
	l, err := e.stdin().ReadString('\n')
	if err != nil && l == "" {
		return "", false
	}
	return strings.TrimSuffix(l, "\n"), true
}

// askPassword prompts as Cyrus's SASL callback does, on standard output,
// and reads a line of standard input: with echo off at a terminal.
// sieveshell's callback ends the prompt's line after the answer, whatever
// standard input is (e.newlineAfterPassword); installsieve's only at a
// terminal, where the typed line was not echoed.
func (e *Env) askPassword() (string, error) {
	fmt.Fprint(e.Out, "Please enter your password: ")
	if fd, ok := e.terminal(); ok {
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.Out)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	l, _ := e.readLine()
	if e.newlineAfterPassword {
		fmt.Fprintln(e.Out)
	}
	return strings.TrimSuffix(l, "\r"), nil
}

// identity is who to authenticate as.
type identity struct {
	user, authname, password string
	havePassword             bool
}

// serverAddr turns Cyrus's server[:port] (or [v6addr]:port) into a
// dialable address, port 4190 when none is given.
func serverAddr(server string) string {
	if strings.HasPrefix(server, "[") {
		if end := strings.Index(server, "]"); end > 0 {
			host, rest := server[1:end], server[end+1:]
			if port, ok := strings.CutPrefix(rest, ":"); ok && port != "" {
				return net.JoinHostPort(host, port)
			}
			return net.JoinHostPort(host, sieveclient.DefaultPort)
		}
	}
	if strings.Count(server, ":") == 1 {
		host, port, _ := strings.Cut(server, ":")
		if port != "" {
			return net.JoinHostPort(host, port)
		}
		server = host
	}
	return net.JoinHostPort(server, sieveclient.DefaultPort)
}

// connect opens an authenticated session with the strongest mechanism
// the server offers of SCRAM-SHA-256, SCRAM-SHA-1 and PLAIN (Cyrus SASL's
// preference among these) and no STARTTLS (Cyrus's clients never start TLS; sieveshell.1, DIFFERENCES);
// a failure is reported on Err as Cyrus's library reports a failed
// connect ("connect: <reason>").
func connect(ctx context.Context, e *Env, server string, id identity) (*sieveclient.Client, error) {
	c, err := sieveclient.Dial(ctx, serverAddr(server), sieveclient.Options{})
	if err != nil {
		fmt.Fprintf(e.Err, "connect: %s\n", strerror(err))
		return nil, err
	}
	mech := ""
	for _, m := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"} {
		if offers(c, m) {
			mech = m
			break
		}
	}
	if mech == "" {
		c.Close()
		err := errors.New("the server offers no SASL mechanism this client has (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN)")
		fmt.Fprintln(e.Err, err)
		return nil, err
	}
	if !id.havePassword {
		if id.password, err = e.askPassword(); err != nil {
			c.Close()
			fmt.Fprintln(e.Err, err)
			return nil, err
		}
	}
	if mech == "PLAIN" {
		err = c.AuthenticatePlain(id.user, id.authname, id.password)
	} else {
		err = c.AuthenticateSCRAM(mech, id.user, id.authname, id.password)
	}
	if err != nil {
		c.Close()
		fmt.Fprintln(e.Err, err)
		return nil, err
	}
	return c, nil
}

func offers(c *sieveclient.Client, mech string) bool {
	for _, m := range c.SASLMechanisms() {
		if m == mech {
			return true
		}
	}
	return false
}

// strerror is the C library's text for an error carrying an errno
// ("No such file or directory"), as Cyrus's programs print it; any other
// error as it is.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}
