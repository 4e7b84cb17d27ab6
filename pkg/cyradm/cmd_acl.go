package cyradm

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"gocyrus/pkg/acl"
)

// cmdListACL prints "id rights" per entry; with a pattern, "name:" and
// indented entries for each matching mailbox. Server errors are printed
// bare, as Cyrus does ("Mailbox does not exist").
func cmdListACL(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("listaclmailbox", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{usage: usageOf("listaclmailbox")}
	}
	c, err := s.needClient("listaclmailbox")
	if err != nil {
		return err
	}
	if !isPattern(pos[0]) {
		return showACL(c, st.out, pos[0], "")
	}
	boxes, err := c.List("", pos[0], ListOptions{})
	if err != nil {
		return err
	}
	for _, m := range boxes {
		if !m.Selectable() {
			continue
		}
		fmt.Fprintf(st.out, "%s:\n", m.Name)
		if err := showACL(c, st.out, m.Name, "  "); err != nil {
			return err
		}
	}
	return nil
}

func showACL(c *Client, out io.Writer, mailbox, indent string) error {
	acl, err := c.GetACL(mailbox)
	if err != nil {
		return err
	}
	for _, e := range acl {
		fmt.Fprintf(out, "%s%s %s\n", indent, e.ID, e.Rights)
	}
	return nil
}

// cmdSetACL sets "id rights" pairs, expanding the rights shortcuts.
func cmdSetACL(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("setaclmailbox", args)
	if err != nil {
		return err
	}
	if len(pos) < 3 || (len(pos)-1)%2 != 0 {
		return &usageError{usage: usageOf("setaclmailbox")}
	}
	c, err := s.needClient("setaclmailbox")
	if err != nil {
		return err
	}
	// Like Cyrus, every pair is tried; the failures are reported together
	// as "id: rights: reason" lines.
	apply := func(name string) error {
		var failed []string
		for i := 1; i+1 < len(pos); i += 2 {
			rights := acl.ExpandShortcut(pos[i+1])
			if err := c.SetACL(name, pos[i], rights); err != nil {
				failed = append(failed, pos[i]+": "+rights+": "+err.Error())
			}
		}
		if len(failed) > 0 {
			return errors.New(strings.Join(failed, "\n"))
		}
		return nil
	}
	if isPattern(pos[0]) {
		return forEachMatch(c, st.out, pos[0], "Setting ACL on", apply)
	}
	if err := apply(pos[0]); err != nil {
		return fmt.Errorf("setaclmailbox: %w", err)
	}
	return nil
}

func cmdDeleteACL(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("deleteaclmailbox", args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return &usageError{usage: usageOf("deleteaclmailbox")}
	}
	c, err := s.needClient("deleteaclmailbox")
	if err != nil {
		return err
	}
	// An id of "*" removes every entry, as in Cyrus's cyradm.
	apply := func(name string) error {
		ids := pos[1:]
		if len(ids) == 1 && ids[0] == "*" {
			acl, err := c.GetACL(name)
			if err != nil {
				return err
			}
			ids = ids[:0]
			for _, e := range acl {
				ids = append(ids, e.ID)
			}
		}
		var failed []string
		for _, id := range ids {
			if err := c.DeleteACL(name, id); err != nil {
				failed = append(failed, id+": "+err.Error())
			}
		}
		if len(failed) > 0 {
			return errors.New(strings.Join(failed, "\n"))
		}
		return nil
	}
	if isPattern(pos[0]) {
		return forEachMatch(c, st.out, pos[0], "Deleting acl on", apply)
	}
	if err := apply(pos[0]); err != nil {
		return fmt.Errorf("deleteaclmailbox: %w", err)
	}
	return nil
}
