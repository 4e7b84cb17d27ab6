package cyradm

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cmdAuthenticate logs in on the current connection. As in Cyrus's
// cyradm it first starts TLS when the server offers STARTTLS (unless
// -notls), with -tlskey, -cafile and -capath naming the client
// certificate and the CAs; -minssf refuses a connection weaker than asked
// before any credential is sent.
func cmdAuthenticate(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("authenticate", args,
		optDef{"minssf", true}, optDef{"maxssf", true}, optDef{"mechanisms", true},
		optDef{"service", true}, optDef{"tlskey", true}, optDef{"notls", false},
		optDef{"cafile", true}, optDef{"capath", true})
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return &usageError{usage: usageOf("authenticate")}
	}
	ao := AuthOptions{Mechanisms: opts["mechanisms"], MaxSSF: MaxSSF}
	if len(pos) == 1 {
		ao.User = pos[0]
	}
	for name, dst := range map[string]*int{"minssf": &ao.MinSSF, "maxssf": &ao.MaxSSF} {
		if v, ok := opts[name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("authenticate: -%s %q is not a non-negative number", name, v)
			}
			*dst = n
		}
	}
	// The SASL service name only matters to mechanisms such as GSSAPI and
	// DIGEST-MD5; none of the mechanisms spoken here uses it, so only the
	// default is accepted rather than a name that would change nothing.
	if svc, ok := opts["service"]; ok && !strings.EqualFold(svc, "imap") {
		return fmt.Errorf("authenticate: -service %s is not supported: the mechanisms this cyradm speaks (EXTERNAL, SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN) use no service name; only imap is accepted", svc)
	}
	files := TLSFiles{CAFile: opts["cafile"], CADir: opts["capath"], KeyFile: opts["tlskey"]}
	c, err := s.needClient("authenticate")
	if err != nil {
		return err
	}
	if err := s.authTLS(c, opts["notls"] != "", files); err != nil {
		return fmt.Errorf("authenticate: %w", err)
	}
	if _, err := s.Connector.Authenticate(c, ao); err != nil {
		return fmt.Errorf("authenticate: authentication to server %s failed: %v", s.server, err)
	}
	return nil
}

// authTLS starts TLS before authenticate when the server offers STARTTLS
// and neither -notls nor --notls forbids it.
func (s *Shell) authTLS(c *Client, notls bool, files TLSFiles) error {
	_, active := c.TLS()
	switch {
	case active && !files.Empty():
		return errTLSActive
	case active:
		return nil
	case notls || s.Connector.TLS == TLSNone:
		if !files.Empty() {
			return errors.New("-tlskey, -cafile and -capath need TLS, which -notls/--notls turned off")
		}
		return nil
	case !c.Has("STARTTLS"):
		if !files.Empty() {
			return errors.New("the server does not offer STARTTLS, so -tlskey, -cafile and -capath cannot apply")
		}
		return nil
	}
	cfg, err := files.Apply(s.Connector.tlsConfig(s.server))
	if err != nil {
		return err
	}
	if err := c.StartTLS(cfg); err != nil {
		return fmt.Errorf("STARTTLS: %w", err)
	}
	return nil
}

func cmdChdir(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("chdir", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{usage: usageOf("chdir")}
	}
	if err := os.Chdir(pos[0]); err != nil {
		return fmt.Errorf("chdir: %s: %v", pos[0], unwrapPath(err))
	}
	return nil
}

func cmdDisconnect(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("disconnect", args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return &usageError{usage: usageOf("disconnect")}
	}
	if _, err := s.needClient("disconnect"); err != nil {
		return err
	}
	s.Close()
	return nil
}

// cmdExit ends the shell with the given status, or the status of the last
// failing command.
func cmdExit(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("exit", args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return &usageError{usage: usageOf("exit")}
	}
	code := s.status
	if len(pos) == 1 {
		n, err := strconv.Atoi(pos[0])
		if err != nil || n < 0 || n > 255 {
			return &usageError{usage: usageOf("exit")}
		}
		code = n
	}
	s.exited, s.exitCode = true, code
	return &exitError{code: code}
}

func cmdServer(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("server", args, optDef{"noauthenticate", false})
	if err != nil {
		return err
	}
	switch len(pos) {
	case 0:
		if _, err := s.needClient("server"); err != nil {
			return err
		}
		fmt.Fprintln(st.out, s.server)
		return nil
	case 1:
		connect := s.Connector.Connect
		if opts["noauthenticate"] != "" {
			// authenticate starts TLS itself, with its own options.
			connect = s.Connector.Dial
		}
		c, err := connect(s.ctx, pos[0])
		if err != nil {
			return fmt.Errorf("server: %s: cannot connect to server: %v", pos[0], err)
		}
		if opts["noauthenticate"] == "" {
			if _, err := s.Connector.Login(c, "", ""); err != nil {
				c.Close()
				return fmt.Errorf("server: %s: cannot authenticate: %v", pos[0], err)
			}
		}
		s.Close()
		s.Attach(c, pos[0])
		return nil
	}
	return &usageError{usage: usageOf("server")}
}

// cmdVersion prints the server's ID answer as Cyrus does: "%-11s: %s",
// the environment split at ';' onto continuation lines.
func cmdVersion(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("version", args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return &usageError{usage: usageOf("version")}
	}
	c, err := s.needClient("version")
	if err != nil {
		return err
	}
	fields, err := c.ID()
	if err != nil {
		return err
	}
	if len(fields) == 0 {
		fmt.Fprintln(st.out, "no version info returned by server")
		return nil
	}
	for _, f := range fields {
		value := f[1]
		if f[0] == "environment" {
			value = strings.ReplaceAll(value, ";", "\n            ")
		}
		fmt.Fprintf(st.out, "%-11s: %s\n", f[0], value)
	}
	return nil
}

// cmdXfer checks its arguments like Cyrus's and then explains that there
// is nothing to transfer to: XFER needs a Cyrus Murder.
func cmdXfer(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("xfermailbox", args, optDef{"partition", true})
	if err != nil {
		return err
	}
	if len(pos) == 3 && opts["partition"] == "" {
		pos = pos[:2]
	}
	if len(pos) != 2 {
		return &usageError{usage: usageOf("xfermailbox")}
	}
	if _, err := s.needClient("xfermailbox"); err != nil {
		return err
	}
	return fmt.Errorf("xfermailbox: no murder here: this server is not part of a Cyrus Murder, so %s cannot be transferred to %s", pos[0], pos[1])
}
