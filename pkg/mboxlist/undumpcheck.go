package mboxlist

import (
	"context"
	"fmt"
	"strings"
)

// mbtypeLetters are the letters of Cyrus 3.6's mbtype: the types (email,
// netnews, collection, calendar, addressbook, JMAP submission and push
// subscription, sieve, JMAP notification) and the flags (deleted, moving,
// remote, reserved, intermediate, legacy directories).
const mbtypeLetters = "enbcaspfj" + "dmrzil"

// dumpChecker checks each entry of a dump as it is read, against the
// entries before it, and collects them.
type dumpChecker struct {
	opt   ParseOptions
	names map[string]bool
	uids  map[string]string // uniqueid -> the live mailbox that has it
	dump  Dump
}

func newDumpChecker(opt ParseOptions) *dumpChecker {
	return &dumpChecker{opt: opt, names: map[string]bool{}, uids: map[string]string{}}
}

// live reports an entry whose uniqueid names a spool directory of its own
// (a tombstone keeps the uniqueid of the mailbox it became, as in Cyrus).
func live(e *Entry) bool { return e.UniqueID != "" && !e.IsDeleted() }

// remote reports an entry served by another backend (no local partition).
func remote(e *Entry) bool { return e.Server != "" || strings.ContainsRune(e.Type, 'r') }

func (c *dumpChecker) add(e *Entry, line int) error {
	fail := func(format string, a ...any) error {
		return &DumpError{Line: line, Msg: fmt.Sprintf("mailbox %s: ", e.Name) + fmt.Sprintf(format, a...)}
	}
	if c.names[e.Name] {
		return &DumpError{Line: line, Msg: fmt.Sprintf("mailbox %s appears twice", e.Name)}
	}
	for _, r := range e.Type {
		if !strings.ContainsRune(mbtypeLetters, r) {
			return fail("unknown mbtype %q", e.Type)
		}
	}
	if c.opt.Partitions != nil && e.Partition != "" && !remote(e) && !c.opt.Partitions[strings.ToLower(e.Partition)] {
		return fail("partition %q is not configured (no partition-%s in imapd.conf)", e.Partition, e.Partition)
	}
	if live(e) {
		if other, dup := c.uids[e.UniqueID]; dup {
			return fail("uniqueid %s is also that of mailbox %s", e.UniqueID, other)
		}
		c.uids[e.UniqueID] = e.Name
	}
	c.names[e.Name] = true
	c.dump.Entries = append(c.dump.Entries, e)
	c.dump.Lines = append(c.dump.Lines, line)
	return nil
}

// CheckEntry checks one entry given alone (cyr_dbtool set), as ReadDump
// checks each entry of a dump and CheckImport checks it against the list:
// a valid name and partition, known mbtype letters, a configured
// partition, and a uniqueid no other live mailbox has. A refusal is a
// *DumpError (line 1).
func (l *List) CheckEntry(ctx context.Context, e *Entry, opt ParseOptions) error {
	if err := checkFields(e); err != nil {
		return &DumpError{Line: 1, Msg: err.Error()}
	}
	c := newDumpChecker(opt)
	if err := c.add(e, 1); err != nil {
		return err
	}
	return l.CheckImport(ctx, &c.dump)
}

// CheckImport checks a dump against the list it is to be imported into:
// no entry may take the uniqueid of a live mailbox the dump does not
// replace, for two mailboxes would then share one spool directory (the
// mailbox given another's uniqueid shows the other's messages). The error
// is a *DumpError naming the line of the first such entry.
func (l *List) CheckImport(ctx context.Context, d *Dump) error {
	inDump := make(map[string]bool, len(d.Entries))
	for _, e := range d.Entries {
		inDump[e.Name] = true
	}
	owner := map[string]string{}
	err := l.Walk(ctx, "", func(e *Entry) error {
		if live(e) && !inDump[e.Name] {
			owner[e.UniqueID] = e.Name
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range d.Entries {
		if other, taken := owner[e.UniqueID]; taken && live(e) {
			return &DumpError{Line: d.Lines[i], Msg: fmt.Sprintf(
				"mailbox %s: uniqueid %s is that of the existing mailbox %s", e.Name, e.UniqueID, other)}
		}
	}
	return nil
}
