package lmtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
)

// stageDirName is the per-partition directory messages are spooled into
// before being hard-linked into mailboxes (Cyrus's "stage.").
const stageDirName = "stage."

// delivery is one DATA: the message as stored and the envelope.
type delivery struct {
	orig        *content // trace headers + message
	msgID, date string
	from        string       // envelope sender, "" = null sender
	auth        string       // the authenticated sender, "" when anonymous
	sender      acl.Identity // whose rights apply to the transaction
	now         time.Time
	sieveMsg    *sieveMessage
}

// content is one version of the message (the original, or a copy edited
// by a Sieve script) with its spool files, one per partition under
// singleinstancestore. Only its header is in memory; the body is read
// from the stage file each time it is needed.
type content struct {
	head   []byte            // trace headers + the header block
	body   *io.SectionReader // from the empty line on, in the stage file
	spools map[string]*mailbox.Prepared
}

func newContent(head []byte, body *io.SectionReader) *content {
	return &content{head: head, body: body, spools: map[string]*mailbox.Prepared{}}
}

// reader returns the whole message from its start; each call is independent.
func (c *content) reader() io.Reader {
	return io.MultiReader(bytes.NewReader(c.head), io.NewSectionReader(c.body, 0, c.body.Size()))
}

// remove deletes the spool files (the mailboxes hold their own links).
func (c *content) remove() {
	for _, p := range c.spools {
		p.Remove()
	}
}

// target is one mailbox a recipient's copy goes to, with its flags.
type target struct {
	entry    *store.Entry
	flags    mailbox.Flags
	keywords []string
	// foreign is set for a fileinto target the script's owner does not
	// own: :flags are kept only as far as rights (the owner's on it)
	// allow (store.AllowedFlags), and \Seen goes to seenUser's seen set,
	// never into the index (which holds the mailbox owner's \Seen).
	foreign  bool
	rights   acl.Rights
	seenUser string // "" = nobody's (a shared mailbox's script)
	seen     bool   // record \Seen in seenUser's seen set once stored
}

// deliver stores msg for every recipient and returns one result each (nil
// = stored and fsync'd, a duplicate, or disposed of by the recipient's
// Sieve script). Recipients resolving to the same mailbox get one copy
// and one script run. The message is spooled once per partition.
func (s *Server) deliver(ctx context.Context, d *delivery, rcpts []*rcpt) []error {
	defer d.orig.remove()
	results := make([]error, len(rcpts))
	done := map[string]error{}
	for i, rc := range rcpts {
		e := rc.target.Entry
		if err, ok := done[e.UniqueID]; ok {
			results[i] = err
			continue
		}
		var err error
		if s.sieve != nil {
			err = s.deliverSieve(ctx, d, rc)
		} else {
			_, err = s.deliverTo(ctx, d, d.orig, target{entry: e}, rc.mode)
		}
		done[e.UniqueID], results[i] = err, err
	}
	return results
}

// deliverTo stores c into t's mailbox unless the duplicate records say it
// is there already, and returns the UID it got (0 for a duplicate).
func (s *Server) deliverTo(ctx context.Context, d *delivery, c *content, t target, mode store.QuotaMode) (uint32, error) {
	e := t.entry
	key := duplicate.Key{MessageID: d.msgID, Mailbox: e.UniqueID, Date: d.date}
	suppress := s.dup != nil && d.msgID != "" && !s.dupAnnots.allowsDuplicates(ctx, e)
	if suppress {
		seen, err := s.dup.Seen(ctx, key)
		if err != nil {
			s.log.Error("reading the duplicate records", "err", err)
			return 0, replyTempFail
		}
		if seen {
			s.log.Info("dupelim: eliminated duplicate message", "to", e.UniqueID, "id", d.msgID, "date", d.date)
			return 0, nil
		}
	}
	p, err := s.spool(ctx, e, c)
	if err != nil {
		s.log.Error("spooling a message", "mailbox", e.Name, "err", err)
		return 0, spoolReply(err)
	}
	if !s.singleInstance {
		defer p.Remove()
	}
	mb, release, err := s.boxes.open(ctx, e, mode)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, replyUnknownUser
		}
		s.log.Error("opening a mailbox", "mailbox", e.Name, "err", err)
		return 0, diskReply(err)
	}
	defer release()
	uids, err := mb.AppendPrepared(ctx, []mailbox.PreparedAppend{{Msg: p, Flags: t.flags, Keywords: t.keywords, InternalDate: d.now}})
	if err != nil {
		if errors.Is(err, mailbox.ErrOverQuota) {
			return 0, s.overQuotaReply()
		}
		s.log.Error("appending a message", "mailbox", e.Name, "err", err)
		return 0, diskReply(err)
	}
	s.log.Info("Delivered", "msgid", d.msgID, "mailbox", e.Name, "uid", uids[0])
	if suppress {
		// The message is stored: losing the record only risks a later
		// duplicate, so the reply does not wait for it.
		s.dup.MarkLater(key, time.Now(), uids[0])
	}
	return uids[0], nil
}

// spool returns c written to e's partition: shared by every mailbox of
// the partition with singleinstancestore, else a fresh copy.
func (s *Server) spool(ctx context.Context, e *store.Entry, c *content) (*mailbox.Prepared, error) {
	if p, ok := c.spools[e.Partition]; ok && s.singleInstance {
		return p, nil
	}
	root, err := s.store.PartitionPath(e.Partition)
	if err != nil {
		return nil, err
	}
	stage := filepath.Join(root, stageDirName)
	if err := os.MkdirAll(stage, 0o750); err != nil {
		return nil, err
	}
	// maxmessagesize was applied to the DATA as received; the trace
	// headers do not count against it.
	p, err := mailbox.SpoolUnnamed(ctx, stage, c.reader(), mailbox.SpoolLimits{})
	if err != nil {
		return nil, err
	}
	if s.singleInstance {
		c.spools[e.Partition] = p
	}
	return p, nil
}
