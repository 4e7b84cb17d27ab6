// Command mbexamine prints what a mailbox's files say: its header, its
// index header and records, and each record's cache entry (-u one UID, -s
// one sequence number), or checks the index's sizes against the message
// files (-q). The layout is Cyrus 3.6's wherever gocyrus's index keeps the
// same field; mbexamine.8 lists the lines that differ. It changes nothing.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/imapserver/fetch"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
)

// usage is Cyrus 3.6's without -c (mbexamine.8), printed (exit 64) for
// a usage error.
const usage = `usage: mbexamine [-C <alt_config>] [-s seqnum] mailbox...
       mbexamine [-C <alt_config>] [-u uid] mailbox...
       mbexamine [-C <alt_config>] -q mailbox...
`

func main() {
	cmd := &cli.Command{
		Name:      "mbexamine",
		Usage:     "print a mailbox's header, index records and cache entries",
		UsageText: strings.TrimPrefix(usage, "usage: "),
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.Uint32Flag{Name: "u", Usage: "print only the message with `UID`"},
			&cli.Uint32Flag{Name: "s", Usage: "print only the message with sequence number `SEQ`"},
			&cli.BoolFlag{Name: "q", Usage: "compare the index's sizes and quota usage with the message files"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() == 0 {
		// Cyrus examines every mailbox then; a debugging tool run on a
		// whole site is a mistake more often than not (mbexamine.8).
		fmt.Fprint(errWriter(cmd), usage)
		return tool.Fail(tool.ExitUsage, "no mailbox given")
	}
	if cmd.IsSet("u") && cmd.IsSet("s") || cmd.Bool("q") && (cmd.IsSet("u") || cmd.IsSet("s")) {
		fmt.Fprint(errWriter(cmd), usage)
		return tool.Fail(tool.ExitUsage, "-u, -s and -q exclude each other")
	}
	env, st, err := tool.SetupStore(cmd, "mbexamine")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	var pick func(seq int, r mailbox.Record) bool
	switch {
	case cmd.IsSet("u"):
		uid := cmd.Uint32("u")
		pick = func(_ int, r mailbox.Record) bool { return r.UID == uid }
	case cmd.IsSet("s"):
		seq := int(cmd.Uint32("s"))
		pick = func(n int, _ mailbox.Record) bool { return n == seq }
	}
	for _, arg := range cmd.Args().Slice() {
		name, err := env.Internal(arg, false)
		if err == nil {
			err = examine(ctx, st, env.Stdout, name, cmd.Bool("q"), pick)
		}
		if err != nil {
			// Cyrus prints nothing for a mailbox it cannot open; we say why.
			fmt.Fprintf(env.Stderr, "mbexamine: %s: %v\n", arg, err)
		}
	}
	return nil
}

func errWriter(cmd *cli.Command) io.Writer {
	if cmd.ErrWriter != nil {
		return cmd.ErrWriter
	}
	return os.Stderr
}

// examine prints one mailbox (or, with quota, checks it).
func examine(ctx context.Context, st *store.Store, out io.Writer, name string, quota bool, pick func(int, mailbox.Record) bool) error {
	e, err := st.Lookup(ctx, name)
	if err != nil {
		return err
	}
	mb, err := st.OpenEntry(e, store.QuotaIgnore, nil)
	if err != nil {
		return err
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		return err
	}
	var b bytes.Buffer // one mailbox's report is written whole or not at all
	fmt.Fprintf(&b, "Examining %s...", e.Name)
	if quota {
		checkSizes(&b, mb, v)
		_, err = out.Write(b.Bytes())
		return err
	}
	printHeader(&b, mb, e, v)
	found := false
	for i, r := range v.Records {
		if pick != nil && !pick(i+1, r) {
			continue
		}
		found = true
		if err := printRecord(&b, v, i+1, r); err != nil {
			return err
		}
	}
	if pick != nil && !found {
		b.WriteString("Desired message not found\n")
	}
	_, err = out.Write(b.Bytes())
	return err
}

// checkSizes is -q: each live record's size against its file (stopping
// at the first that differs, as Cyrus), then the index's quota usage
// against the files' total.
func checkSizes(b *bytes.Buffer, mb *mailbox.Mailbox, v *mailbox.View) {
	var total uint64
	for _, r := range v.Records {
		path := mb.MessagePath(r.UID)
		fi, err := os.Stat(path)
		if err != nil {
			fmt.Fprintf(b, "Can not open message file %s -- skipping\n", path)
			continue
		}
		if fi.Size() != int64(r.Size) {
			fmt.Fprintf(b, "  Message %d has INCORRECT size in index record\n", r.UID)
			return
		}
		total += uint64(fi.Size())
	}
	if total != v.QuotaUsed {
		b.WriteString("  Mailbox has INCORRECT total quota usage\n")
		return
	}
	b.WriteString("  Mailbox has CORRECT total quota usage\n")
}

// ctime is how Cyrus prints a time (ctime(3), local zone).
func ctime(sec int64) string {
	return fmt.Sprintf("(%d) %s", sec, time.Unix(sec, 0).Format("Mon Jan _2 15:04:05 2006"))
}

func printHeader(b *bytes.Buffer, mb *mailbox.Mailbox, e *store.Entry, v *mailbox.View) {
	b.WriteString(" Mailbox Header Info:\n")
	fmt.Fprintf(b, "  Path to mailbox: %s\n", mb.Dir())
	fmt.Fprintf(b, "  Mailbox ACL: %s\n", e.ACL.String())
	fmt.Fprintf(b, "  Unique ID: %s\n", v.Header.UniqueID)
	b.WriteString("  User Flags: ")
	if len(v.Header.Keywords) == 0 {
		b.WriteString("[none]")
	}
	for _, k := range v.Header.Keywords {
		b.WriteString(k + " ")
	}
	b.WriteString("\n\n Index Header Info:\n")
	// Cyrus's last append date; gocyrus keeps each message's save date.
	var lastAppend int64
	var deleted, answered, flagged int
	for _, r := range v.Records {
		lastAppend = max(lastAppend, unixOrZero(r.SaveDate()))
		deleted += count(r.Flags&mailbox.FlagDeleted != 0)
		answered += count(r.Flags&mailbox.FlagAnswered != 0)
		flagged += count(r.Flags&mailbox.FlagFlagged != 0)
	}
	fmt.Fprintf(b, "  Number of Messages: %d  Mailbox Size: %d bytes  Annotations Size: 0 bytes\n", len(v.Records), v.QuotaUsed)
	fmt.Fprintf(b, "  Last Append Date: %s\n", ctime(lastAppend))
	fmt.Fprintf(b, "  UIDValidity: %d  Last UID: %d\n", v.UIDValidity, v.UIDNext-1)
	fmt.Fprintf(b, "  Deleted: %d  Answered: %d  Flagged: %d\n", deleted, answered, flagged)
	fmt.Fprintf(b, "  Highest Mod Sequence: %d\n", v.HighestModSeq)
	b.WriteString("\n Message Info:\n")
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// cyrusFlags are Cyrus's system flag bits (mailbox.h) and names.
var cyrusFlags = []struct {
	ours mailbox.Flags
	bit  uint32
	name string
}{
	{mailbox.FlagAnswered, 1 << 0, "FLAG_ANSWERED"},
	{mailbox.FlagFlagged, 1 << 1, "FLAG_FLAGGED"},
	{mailbox.FlagDeleted, 1 << 2, "FLAG_DELETED"},
	{mailbox.FlagDraft, 1 << 3, "FLAG_DRAFT"},
	{mailbox.FlagSeen, 1 << 4, "FLAG_SEEN"},
}

func printRecord(b *bytes.Buffer, v *mailbox.View, seq int, r mailbox.Record) error {
	var sys uint32
	var names string
	for _, f := range cyrusFlags {
		if r.Flags&f.ours != 0 {
			sys |= f.bit
			names = " " + f.name + names // Cyrus lists them from the highest bit
		}
	}
	c, err := v.Cached(r)
	if err != nil {
		return fmt.Errorf("uid %d: %w", r.UID, err)
	}
	// Cyrus keeps the Date: header's day (its sent date) and the cache's
	// address fields in its own form; tool.CyrusEnvelope says both.
	sent, shown := tool.CyrusEnvelope(c.Headers, r.InternalDate())
	fmt.Fprintf(b, "%06d> UID:%08d   INT_DATE:%d SENTDATE:%d SAVEDATE:%d SIZE:%-6d\n",
		seq, r.UID, unixOrZero(r.InternalDate()), unixOrZero(sent), unixOrZero(r.SaveDate()), r.Size)
	fmt.Fprintf(b, "      > HDRSIZE:%-6d SYSFLAGS:%08X      > GUID:%x MODSEQ:%d\n", r.HeaderSize, sys, r.GUID[:], r.ModSeq)
	fmt.Fprintf(b, "      > INTERNALFLAGS:      > SYSTEMFLAGS:%s\n", names)
	b.WriteString("      > USERFLAGS:")
	for i := 3; i >= 0; i-- { // Cyrus prints its four 32-bit words, highest first
		fmt.Fprintf(b, " %08X", uint32(r.Keywords[i/2]>>(32*(i%2))))
	}
	b.WriteString("\n")
	m := &fetch.Message{Seq: uint32(seq), UID: r.UID, Record: r, View: v, Cached: c}
	for _, it := range []struct {
		label string
		attr  wire.FetchAttr
		name  string
	}{
		{"Envel", wire.FetchEnvelope, "ENVELOPE "},
		{"BdyStr", wire.FetchBodyStructure, "BODYSTRUCTURE "},
		{"Body", wire.FetchBody, "BODY "},
	} {
		var item bytes.Buffer
		w := wire.NewWriter(&item)
		if _, err := fetch.Write(w, m, []wire.FetchItem{{Attr: it.attr}}); err != nil {
			return fmt.Errorf("uid %d: %w", r.UID, err)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		cacheLine(b, it.label, bytes.TrimPrefix(item.Bytes(), []byte(it.name)))
	}
	cacheLine(b, "CacHdr", c.Headers)
	for _, f := range []struct{ label, key string }{{"From", "From"}, {"To", "To"}, {"Cc", "Cc"}, {"Bcc", "Bcc"}, {"Subjct", "Subject"}} {
		cacheLine(b, f.label, []byte(shown.Get(f.key)))
	}
	return nil
}

// cacheLine is Cyrus's " label>{length}value" line of a cache field.
func cacheLine(b *bytes.Buffer, label string, val []byte) {
	fmt.Fprintf(b, " %s>{%d}%s\n", label, len(val), val)
}
