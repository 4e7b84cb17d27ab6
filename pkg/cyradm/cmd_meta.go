package cyradm

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

const cyrusVendor = "/vendor/cmu/cyrus-imapd/"

// mailboxAttributes are mboxconfig's names for mailbox metadata entries.
var mailboxAttributes = map[string]string{
	"comment":       "/comment",
	"expire":        cyrusVendor + "expire",
	"news2mail":     cyrusVendor + "news2mail",
	"pop3showafter": cyrusVendor + "pop3showafter",
	"sharedseen":    cyrusVendor + "sharedseen",
	"sieve":         cyrusVendor + "sieve",
	"squat":         cyrusVendor + "squat",
}

// serverAttributes are setinfo's names for server metadata entries.
var serverAttributes = map[string]string{
	"motd":     "/motd",
	"comment":  "/comment",
	"admin":    "/admin",
	"shutdown": "/shutdown",
	"expire":   cyrusVendor + "expire",
	"squat":    cyrusVendor + "squat",
}

// entryName maps an attribute (a short name from names, or an explicit
// "/..." entry) to a full metadata entry under /shared or /private.
func entryName(attr string, names map[string]string, private bool) (string, error) {
	if strings.HasPrefix(attr, "/shared/") || strings.HasPrefix(attr, "/private/") {
		return attr, nil
	}
	e, ok := names[strings.ToLower(attr)]
	if !ok {
		if !strings.HasPrefix(attr, "/") {
			return "", fmt.Errorf("Unknown parameter %s", attr)
		}
		e = attr
	}
	if private {
		return "/private" + e, nil
	}
	return "/shared" + e, nil
}

// metadataValue is nil (remove the entry) for "none".
func metadataValue(v string) *string {
	if strings.EqualFold(v, "none") {
		return nil
	}
	return &v
}

// printMetadata writes entries as Cyrus's cyradm does: "{mailbox}:" (or
// "{Server Wide}") per mailbox, then "  private:" and "  shared:" groups of
// "    name: value" lines, name being the last component of the entry,
// sorted by entry; an unset value prints as NIL. The scope roots
// themselves ("/private", "/shared"), which some servers list with
// DEPTH infinity, are left out.
func printMetadata(out io.Writer, entries []MetadataEntry) {
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].Mailbox != entries[j].Mailbox {
			return entries[i].Mailbox < entries[j].Mailbox
		}
		return entries[i].Name < entries[j].Name
	})
	section, group := "\x00", ""
	for _, e := range entries {
		scope, _, _ := strings.Cut(strings.TrimPrefix(e.Name, "/"), "/")
		if scope != "private" && scope != "shared" || e.Name == "/"+scope {
			continue
		}
		if e.Mailbox != section {
			section, group = e.Mailbox, ""
			if section == "" {
				fmt.Fprintln(out, "{Server Wide}")
			} else {
				fmt.Fprintf(out, "{%s}:\n", section)
			}
		}
		if scope != group {
			group = scope
			fmt.Fprintf(out, "  %s:\n", group)
		}
		value := "NIL"
		if e.Value != nil {
			value = *e.Value
		}
		fmt.Fprintf(out, "    %s: %s\n", path.Base(e.Name), value)
	}
}

// cmdInfo shows the server's (no argument) or a mailbox's metadata.
func cmdInfo(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("info", args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return &usageError{usage: usageOf("info")}
	}
	c, err := s.needClient("info")
	if err != nil {
		return err
	}
	mailbox := ""
	if len(pos) == 1 {
		mailbox = pos[0]
	}
	entries, err := c.GetMetadata(mailbox, []string{"/shared", "/private"})
	if err != nil {
		return err
	}
	printMetadata(st.out, entries)
	return nil
}

func cmdGetMetadata(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("getmetadata", args, optDef{"private", false})
	if err != nil {
		return err
	}
	if len(pos) > 2 {
		return &usageError{usage: usageOf("getmetadata")}
	}
	c, err := s.needClient("getmetadata")
	if err != nil {
		return err
	}
	mailbox := ""
	if len(pos) > 0 {
		mailbox = pos[0]
	}
	want := []string{"/shared", "/private"}
	if opts["private"] != "" {
		want = []string{"/private"}
	}
	if len(pos) == 2 {
		e, err := entryName(pos[1], mailboxAttributes, opts["private"] != "")
		if err != nil {
			return fmt.Errorf("getmetadata: %w", err)
		}
		want = []string{e}
	}
	entries, err := c.GetMetadata(mailbox, want)
	if err != nil {
		return err
	}
	printMetadata(st.out, entries)
	return nil
}

func cmdSetMetadata(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("setmetadata", args, optDef{"private", false})
	if err != nil {
		return err
	}
	if len(pos) == 2 {
		pos = []string{pos[0], "comment", pos[1]}
	}
	if len(pos) != 3 {
		return &usageError{usage: usageOf("setmetadata")}
	}
	return setMetadata(s, "setmetadata", pos[0], pos[1], pos[2], mailboxAttributes, opts["private"] != "")
}

func cmdMboxConfig(s *Shell, st stdio, args []string) error {
	opts, pos, err := getopts("mboxconfig", args, optDef{"private", false})
	if err != nil {
		return err
	}
	if len(pos) != 3 {
		return &usageError{usage: usageOf("mboxconfig")}
	}
	return setMetadata(s, "mboxconfig", pos[0], pos[1], pos[2], mailboxAttributes, opts["private"] != "")
}

// cmdSetInfo sets server metadata; the words after the attribute are the
// text.
func cmdSetInfo(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("setinfo", args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return &usageError{usage: usageOf("setinfo")}
	}
	return setMetadata(s, "setinfo", "", pos[0], strings.Join(pos[1:], " "), serverAttributes, false)
}

func setMetadata(s *Shell, cmd, mailbox, attr, value string, names map[string]string, private bool) error {
	entry, err := entryName(attr, names, private)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	c, err := s.needClient(cmd)
	if err != nil {
		return err
	}
	if err := c.SetMetadata(mailbox, entry, metadataValue(value)); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	return nil
}
