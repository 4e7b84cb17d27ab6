package lmtp

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
)

// stageDirName is the per-partition directory messages are spooled into
// before being hard-linked into mailboxes (Cyrus's "stage.").
const stageDirName = "stage."

// deliver stores msg for every recipient and returns one result each (nil
// = stored and fsync'd, or a duplicate). Recipients resolving to the same
// mailbox get one copy. The message is spooled once per partition.
func (s *Server) deliver(ctx context.Context, msg []byte, msgID, date string, rcpts []*rcpt) []error {
	results := make([]error, len(rcpts))
	spools := map[string]*mailbox.Prepared{}
	defer func() {
		for _, p := range spools {
			p.Remove()
		}
	}()
	done := map[string]error{}
	for i, rc := range rcpts {
		e := rc.target.Entry
		if err, ok := done[e.UniqueID]; ok {
			results[i] = err
			continue
		}
		err := s.deliverOne(ctx, msg, msgID, date, rc, spools)
		done[e.UniqueID], results[i] = err, err
	}
	return results
}

func (s *Server) deliverOne(ctx context.Context, msg []byte, msgID, date string, rc *rcpt, spools map[string]*mailbox.Prepared) error {
	e := rc.target.Entry
	key := duplicate.Key{MessageID: msgID, Mailbox: e.UniqueID, Date: date}
	if s.dup != nil && msgID != "" {
		seen, err := s.dup.Seen(ctx, key)
		if err != nil {
			s.log.Error("reading the duplicate records", "err", err)
			return replyTempFail
		}
		if seen {
			s.log.Info("dupelim: eliminated duplicate message", "to", e.UniqueID, "id", msgID, "date", date)
			return nil
		}
	}
	p, err := s.spool(ctx, e, msg, spools)
	if err != nil {
		s.log.Error("spooling a message", "mailbox", e.Name, "err", err)
		return replyTempFail
	}
	if !s.singleInstance {
		defer p.Remove()
	}
	mb, _, err := s.store.Open(ctx, e.Name, rc.mode)
	if err != nil {
		if errors.Is(err, mboxlist.ErrNotFound) {
			return replyUnknownUser
		}
		s.log.Error("opening a mailbox", "mailbox", e.Name, "err", err)
		return replyTempFail
	}
	defer mb.Close()
	uids, err := mb.AppendPrepared(ctx, []mailbox.PreparedAppend{{Msg: p}})
	if err != nil {
		if errors.Is(err, mailbox.ErrOverQuota) {
			return s.overQuotaReply()
		}
		s.log.Error("appending a message", "mailbox", e.Name, "err", err)
		return replyTempFail
	}
	s.log.Info("Delivered", "msgid", msgID, "mailbox", e.Name, "uid", uids[0])
	if s.dup != nil && msgID != "" {
		// The message is stored: a failure here only risks a later duplicate.
		if err := s.dup.Mark(ctx, key, time.Now(), uids[0]); err != nil {
			s.log.Warn("recording a delivery for duplicate suppression", "mailbox", e.Name, "err", err)
		}
	}
	return nil
}

// spool returns msg written to e's partition: shared by every mailbox of
// the partition with singleinstancestore, else a fresh copy.
func (s *Server) spool(ctx context.Context, e *mboxlist.Entry, msg []byte, spools map[string]*mailbox.Prepared) (*mailbox.Prepared, error) {
	if p, ok := spools[e.Partition]; ok && s.singleInstance {
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
	p, err := mailbox.Spool(ctx, stage, bytes.NewReader(msg))
	if err != nil {
		return nil, err
	}
	if s.singleInstance {
		spools[e.Partition] = p
	}
	return p, nil
}
