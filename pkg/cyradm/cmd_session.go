package cyradm

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

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
	c, err := s.needClient("authenticate")
	if err != nil {
		return err
	}
	user := ""
	if len(pos) == 1 {
		user = pos[0]
	}
	if _, err := s.Connector.Login(c, user, opts["mechanisms"]); err != nil {
		return fmt.Errorf("authenticate: authentication to server %s failed: %v", s.server, err)
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
		c, err := s.Connector.Connect(s.ctx, pos[0])
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
