// Command unexpunge lists and restores messages expunged under
// expunge_mode: delayed whose files are still kept (until cyr_expire -X
// removes them). Restored messages get new UIDs, as in Cyrus: a client
// that saw the expunge must see them arrive as new mail.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/duration"
	"gocyrus/internal/tool"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

func main() {
	cmd := &cli.Command{
		Name:  "unexpunge",
		Usage: "list or restore expunged messages whose files are still kept",
		UsageText: "unexpunge [-C file] -l mailbox [uid...]\n" +
			"unexpunge [-C file] -t interval [-d] [-v] [-f flag] mailbox\n" +
			"unexpunge [-C file] -a [-d] [-v] [-f flag] mailbox\n" +
			"unexpunge [-C file] -u [-d] [-v] [-f flag] mailbox uid...",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "l", Usage: "list the expunged messages that can be restored"},
			&cli.BoolFlag{Name: "a", Usage: "restore all of them"},
			&cli.BoolFlag{Name: "u", Usage: "restore the messages with the UIDs given"},
			&cli.StringFlag{Name: "t", Usage: "restore those expunged within the last `INTERVAL` (bare number: seconds; w, d, h, m suffixes)"},
			&cli.BoolFlag{Name: "d", Usage: "clear \\Deleted on the restored messages"},
			&cli.StringFlag{Name: "f", Usage: "set the keyword `FLAG` on the restored messages"},
			&cli.BoolFlag{Name: "v", Usage: "report each restored message"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

type mode int

const (
	modeList mode = iota
	modeAll
	modeTime
	modeUID
)

// request is a checked command line.
type request struct {
	mode    mode
	mailbox string   // as given
	uids    []uint32 // -u, or the -l filter
	since   time.Time
	unsetDeleted,
	verbose bool
	keyword string
}

func run(ctx context.Context, cmd *cli.Command) error {
	req, err := parseRequest(cmd, time.Now())
	if err != nil {
		return err
	}
	env, st, err := tool.SetupStore(cmd, "unexpunge")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	name, err := env.Internal(req.mailbox, false)
	if err != nil {
		return tool.Fail(tool.ExitUsage, "%s: %v", req.mailbox, err)
	}
	mb, err := openMailbox(ctx, st, name, req.mailbox)
	if err != nil {
		return err
	}
	defer mb.Close()
	if req.mode == modeList {
		return list(env.Stdout, mb, req.uids)
	}
	return restore(ctx, env, mb, name, req)
}

// parseRequest checks that exactly one of -l, -a, -u, -t is given, with
// the arguments it needs.
func parseRequest(cmd *cli.Command, now time.Time) (request, error) {
	var modes []mode
	for _, m := range []struct {
		flag string
		mode mode
	}{{"l", modeList}, {"a", modeAll}, {"t", modeTime}, {"u", modeUID}} {
		if cmd.IsSet(m.flag) {
			modes = append(modes, m.mode)
		}
	}
	if len(modes) != 1 {
		return request{}, tool.Fail(tool.ExitUsage, "give exactly one of -l, -a, -t interval and -u")
	}
	req := request{mode: modes[0], unsetDeleted: cmd.Bool("d"), verbose: cmd.Bool("v"), keyword: cmd.String("f")}
	args := cmd.Args().Slice()
	if len(args) == 0 {
		return request{}, tool.Fail(tool.ExitUsage, "no mailbox given")
	}
	req.mailbox, args = args[0], args[1:]
	switch req.mode {
	case modeList:
		if cmd.IsSet("d") || cmd.IsSet("f") || cmd.IsSet("v") {
			return request{}, tool.Fail(tool.ExitUsage, "-d, -f and -v go with a restore (-a, -t or -u), not -l")
		}
	case modeUID:
		if len(args) == 0 {
			return request{}, tool.Fail(tool.ExitUsage, "-u needs the UIDs to restore")
		}
	case modeTime:
		d, err := duration.Parse(cmd.String("t"), time.Second)
		if err != nil {
			return request{}, tool.Fail(tool.ExitUsage, "-t: %v", err)
		}
		req.since = now.Add(-d)
	}
	if len(args) > 0 && req.mode != modeUID && req.mode != modeList {
		return request{}, tool.Fail(tool.ExitUsage, "unexpected argument %q after the mailbox", args[0])
	}
	for _, a := range args {
		uid, err := strconv.ParseUint(a, 10, 32)
		if err != nil || uid == 0 {
			return request{}, tool.Fail(tool.ExitUsage, "%q is not a UID", a)
		}
		req.uids = append(req.uids, uint32(uid))
	}
	if req.keyword != "" && !validKeyword(req.keyword) {
		if strings.HasPrefix(req.keyword, `\`) {
			return request{}, tool.Fail(tool.ExitUsage, "-f %s: can't set a system flag", req.keyword)
		}
		return request{}, tool.Fail(tool.ExitUsage, "-f %q is not a valid keyword", req.keyword)
	}
	return req, nil
}

// validKeyword reports whether s is an IMAP atom usable as a keyword.
func validKeyword(s string) bool {
	if s == "" || len(s) > 255 || s[0] == '\\' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

func openMailbox(ctx context.Context, st *store.Store, name, given string) (*mailbox.Mailbox, error) {
	mb, _, err := st.Open(ctx, name, quota.Ignore)
	switch {
	case errors.Is(err, mboxlist.ErrNotFound):
		return nil, tool.Fail(tool.ExitDataErr, "Failed to open mailbox %s: %v", given, err)
	case err != nil:
		return nil, tool.Fail(tool.ExitTempFail, "Failed to open mailbox %s: %v", given, err)
	}
	return mb, nil
}

// list prints Cyrus's -l report for the kept messages (those among only,
// when given).
func list(w io.Writer, mb *mailbox.Mailbox, only []uint32) error {
	kept, err := mb.Expunged()
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "reading the index: %v", err)
	}
	bw := bufio.NewWriter(w)
	for _, m := range kept {
		if len(only) > 0 && !slices.Contains(only, m.UID) {
			continue
		}
		writeListing(bw, m, mb.MessagePath(m.UID))
	}
	return bw.Flush()
}

// writeListing writes one message as Cyrus's unexpunge -l does.
func writeListing(w io.Writer, m mailbox.ExpungedMessage, path string) {
	l := tool.MessageListing{UID: m.UID, Size: m.Size, Recv: m.InternalDate, Expunged: m.ExpungedAt}
	h, err := readHeader(path)
	if err != nil {
		l.HeaderError = fmt.Sprintf("ERROR: message file unreadable, not printing header details: %v", err)
	} else {
		l.Sent, l.Header = tool.CyrusEnvelope(h, m.InternalDate)
	}
	tool.WriteMessageListing(w, l)
}

// readHeader reads the header block of a kept message file, up to the
// blank line and at most maxHeader bytes.
func readHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, maxHeader))
	var block []byte
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && len(bytes.TrimRight(line, "\r\n")) == 0 {
			return block, nil // the blank line ending the header
		}
		block = append(block, line...)
		if err == io.EOF {
			return block, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
}

// maxHeader bounds the header read from a message file (as the store's
// parser does).
const maxHeader = 1 << 20

// restore brings back the messages req selects and reports as Cyrus does.
func restore(ctx context.Context, env *tool.Env, mb *mailbox.Mailbox, name string, req request) error {
	kept, err := mb.Expunged()
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "reading the index: %v", err)
	}
	uids := selectUIDs(kept, req)
	ext := env.External(name)
	all := ""
	if req.mode == modeAll {
		all = "all "
	}
	fmt.Fprintf(env.Stdout, "restoring %sexpunged messages in mailbox '%s'\n", all, ext)
	var keywords []string
	if req.keyword != "" {
		keywords = []string{req.keyword}
	}
	var oldUIDs, newUIDs []uint32
	if len(uids) > 0 {
		oldUIDs, newUIDs, err = mb.Unexpunge(ctx, uids, !req.unsetDeleted, keywords)
		if err != nil {
			return tool.Fail(tool.ExitTempFail, "restoring in %s: %v", ext, err)
		}
	}
	if req.verbose {
		for i := range oldUIDs {
			fmt.Fprintf(env.Stdout, "Unexpunged %s: %d => %d\n", ext, oldUIDs[i], newUIDs[i])
		}
	}
	// As in Cyrus, -u UIDs with no kept message (never expunged, already
	// purged) are skipped without a word: the count tells.
	fmt.Fprintf(env.Stdout, "restored %d expunged messages\n", len(oldUIDs))
	return nil
}

// selectUIDs picks the kept messages the mode asks for.
func selectUIDs(kept []mailbox.ExpungedMessage, req request) []uint32 {
	var uids []uint32
	for _, m := range kept {
		switch {
		case req.mode == modeAll,
			req.mode == modeTime && !m.ExpungedAt.Before(req.since),
			req.mode == modeUID && slices.Contains(req.uids, m.UID):
			uids = append(uids, m.UID)
		}
	}
	return uids
}
