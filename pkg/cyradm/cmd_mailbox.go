package cyradm

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// isPattern reports whether a mailbox argument holds a LIST wildcard; such
// arguments apply the command to every matching mailbox.
func isPattern(name string) bool { return strings.ContainsAny(name, "*%") }

// forEachMatch runs fn on each selectable mailbox matching pattern,
// printing "<verb> NAME..." then "OK." or the error, and stops at the
// first error, as Cyrus's cyradm does.
func forEachMatch(c *Client, out io.Writer, pattern, verb string, fn func(name string) error) error {
	boxes, err := c.List("", pattern, ListOptions{})
	if err != nil {
		return err
	}
	for _, m := range boxes {
		if !m.Selectable() {
			continue
		}
		fmt.Fprintf(out, "%s %s...", verb, m.Name)
		if err := fn(m.Name); err != nil {
			fmt.Fprintln(out, err)
			return errQuietFailure
		}
		fmt.Fprintln(out, "OK.")
	}
	return nil
}

func cmdCreate(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("createmailbox", args, optDef{"partition", true}, optDef{"specialuse", true})
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 || (len(pos) == 2 && opts["partition"] != "") {
		return &usageError{usage: usageOf("createmailbox")}
	}
	partition := opts["partition"]
	if len(pos) == 2 {
		partition = pos[1]
	}
	var uses []string
	for _, u := range strings.Fields(opts["specialuse"]) {
		if !strings.HasPrefix(u, `\`) {
			u = `\` + u
		}
		uses = append(uses, u)
	}
	c, err := s.needClient("createmailbox")
	if err != nil {
		return err
	}
	if err := c.Create(pos[0], partition, uses); err != nil {
		return fmt.Errorf("createmailbox: %w", err)
	}
	return nil
}

func cmdDelete(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("deletemailbox", args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return &usageError{usage: usageOf("deletemailbox")}
	}
	if len(pos) == 2 {
		return fmt.Errorf("deletemailbox: host argument only supported in IMSP")
	}
	c, err := s.needClient("deletemailbox")
	if err != nil {
		return err
	}
	if isPattern(pos[0]) {
		return forEachMatch(c, st.out, pos[0], "Deleting mailbox", c.Delete)
	}
	if err := c.Delete(pos[0]); err != nil {
		return fmt.Errorf("deletemailbox: %w", err)
	}
	return nil
}

func cmdRename(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("renamemailbox", args, optDef{"partition", true})
	if err != nil {
		return err
	}
	partition := opts["partition"]
	if len(pos) == 3 && partition == "" {
		partition, pos = pos[2], pos[:2]
	}
	if len(pos) != 2 {
		return &usageError{usage: usageOf("renamemailbox")}
	}
	c, err := s.needClient("renamemailbox")
	if err != nil {
		return err
	}
	if err := c.Rename(pos[0], pos[1], partition); err != nil {
		return fmt.Errorf("renamemailbox: %w", err)
	}
	return nil
}

func cmdReconstruct(s *Shell, st stdio, args []string) error {
	recursive := false
	for len(args) > 0 && args[0] == "-r" {
		recursive, args = true, args[1:]
	}
	_, pos, err := getopts("reconstruct", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{usage: usageOf("reconstruct")}
	}
	c, err := s.needClient("reconstruct")
	if err != nil {
		return err
	}
	if err := c.Reconstruct(pos[0], recursive); err != nil {
		return fmt.Errorf("reconstruct: %w", err)
	}
	return nil
}

func cmdSubscribe(s *Shell, st stdio, args []string) error {
	return subscription(s, st, "subscribe", args, (*Client).Subscribe)
}

func cmdUnsubscribe(s *Shell, st stdio, args []string) error {
	return subscription(s, st, "unsubscribe", args, (*Client).Unsubscribe)
}

func subscription(s *Shell, st stdio, name string, args []string, op func(*Client, string) error) error {
	_, pos, err := getopts(name, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{usage: usageOf(name)}
	}
	c, err := s.needClient(name)
	if err != nil {
		return err
	}
	return op(c, pos[0])
}

// cmdList prints "name (flags)" entries sorted, in column-major columns
// as wide as the longest entry plus one, across $COLUMNS (79 by default).
// Like Cyrus, it fails quietly when nothing matches.
func cmdList(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("listmailbox", args, optDef{"subscribed", false}, optDef{"specialuse", false})
	if err != nil {
		return err
	}
	if len(pos) > 2 {
		return &usageError{usage: usageOf("listmailbox")}
	}
	pattern, ref := "*", ""
	if len(pos) > 0 {
		pattern = pos[0]
	}
	if len(pos) > 1 {
		ref = pos[1]
	}
	c, err := s.needClient("listmailbox")
	if err != nil {
		return err
	}
	boxes, err := c.List(ref, pattern, ListOptions{Subscribed: opts["subscribed"] != "", SpecialUse: opts["specialuse"] != ""})
	if err != nil {
		return err
	}
	if len(boxes) == 0 {
		return errQuietFailure
	}
	entries := make([]string, 0, len(boxes))
	for _, m := range boxes {
		e := m.Name
		if len(m.Flags) > 0 {
			e += " (" + strings.Join(m.Flags, " ") + ")"
		}
		entries = append(entries, e)
	}
	sort.Strings(entries)
	columns, _ := strconv.Atoi(s.getenv("COLUMNS"))
	if columns <= 0 {
		columns = 79
	}
	writeColumns(st.out, entries, columns)
	return nil
}

func (s *Shell) getenv(name string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(name)
}

// writeColumns lays entries out column-major: every entry padded to the
// widest entry plus two (Cyrus pads after the last column too).
func writeColumns(w io.Writer, entries []string, lineWidth int) {
	width := 0
	for _, e := range entries {
		width = max(width, len(e)+1)
	}
	width = min(width, lineWidth)
	perLine := max(lineWidth/width, 1)
	rows := (len(entries) + perLine - 1) / perLine
	var b strings.Builder
	for r := 0; r < rows; r++ {
		for i := r; i < len(entries); i += rows {
			b.WriteString(entries[i])
			b.WriteString(strings.Repeat(" ", max(width+1-len(entries[i]), 0)))
		}
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}
