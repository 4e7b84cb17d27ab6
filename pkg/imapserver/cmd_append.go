package imapserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
)

// inMemoryLimit: messages up to this size are held in memory (one
// allocation of the announced size, so bounded) and joined to the
// mailbox's group commit; larger ones are streamed to a spool file as
// they arrive.
const inMemoryLimit = 1 << 20

// maxUnnamedSpools bounds the unnamed spool files (each an open
// descriptor, and nothing left behind by a crash) of one MULTIAPPEND;
// later messages are spooled to named temp files.
const maxUnnamedSpools = 64

// cmdAppend: RFC 3501 §6.3.11 with MULTIAPPEND (RFC 3502, all or none),
// UIDPLUS's APPENDUID (RFC 4315) and LITERAL+. The mailbox is checked
// before any message literal is invited, so a refused APPEND costs the
// client nothing ([TRYCREATE] when it could create the mailbox).
func cmdAppend(s *session, c wire.Command) (reply, error) {
	ap, err := wire.ParseAppend(s.r)
	if err != nil {
		return reply{}, err
	}
	code, _, err := s.appendFrom(ap)
	if err != nil {
		return reply{}, err
	}
	return reply{Code: code}, nil
}

// appendFrom stores the messages ap gives in its mailbox, all or none
// (APPEND, REPLACE), and returns the APPENDUID code and the mailbox
// written to. They are fsync'd, file and index, before it returns.
func (s *session) appendFrom(ap *wire.AppendParser) (code string, mb *mailbox.Mailbox, err error) {
	ap.AcceptUTF8 = s.enabled.utf8 // RFC 6855 §4, utf8accept.go
	m, err := s.lookup(ap.Mailbox)
	if err != nil {
		return "", nil, err
	}
	if err := s.appendTarget(m); err != nil {
		return "", nil, err
	}
	mb, err = s.appendMailbox(m)
	if err != nil {
		return "", nil, err
	}
	// Each synchronising literal is checked against the quota, with the
	// messages announced before it, before "+ go ahead".
	var announced, count int64
	s.admitMessage = func(size int64) error {
		if err := mb.CheckQuota(s.ctx, announced+size, count+1); err != nil {
			return err
		}
		announced, count = announced+size, count+1
		return nil
	}
	target := s.flagTarget(m)
	msgs, err := s.readAppendMessages(ap, target, mb.Dir())
	s.admitMessage = nil
	defer msgs.discard()
	if err != nil {
		return "", nil, err
	}
	uids, err := msgs.commit(s, mb)
	if err != nil {
		return "", nil, err
	}
	target.commitSeen(uids)
	v, err := mb.Snapshot()
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("APPENDUID %d %s", v.UIDValidity, uidSetString(uids)), mb, nil
}

// appendBox is the mailbox the session last appended to, kept open between
// APPENDs (a client filing many messages into one folder pays for opening
// it once). It is used again only for the same name and directory, so a
// mailbox deleted and created again, or renamed, is opened afresh.
type appendBox struct {
	name string
	mb   *mailbox.Mailbox
}

// appendMailbox returns the open mailbox for an APPEND to m: the selected
// one, the kept one, or a newly opened one, which is then kept.
func (s *session) appendMailbox(m *mbox) (*mailbox.Mailbox, error) {
	if s.sel != nil && s.sel.name == m.name {
		return s.sel.mb, nil
	}
	dir, err := s.srv.st.Dir(m.entry)
	if err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir)
	if a := s.appendBox; a != nil && a.name == m.name && a.mb.Dir() == dir {
		return a.mb, nil
	}
	s.closeAppendBox()
	mb, err := s.srv.st.OpenEntry(m.entry, store.QuotaStrict, nil)
	if err != nil {
		return nil, err
	}
	s.appendBox = &appendBox{name: m.name, mb: mb}
	return mb, nil
}

// closeAppendBox closes the kept APPEND target, if any.
func (s *session) closeAppendBox() {
	if s.appendBox != nil {
		s.appendBox.mb.Close()
		s.appendBox = nil
	}
}

// appendTarget checks that m may receive messages (i on it).
func (s *session) appendTarget(m *mbox) error {
	if m.entry == nil {
		if ok, err := s.mayCreate(m.name); err == nil && ok {
			return noCode("TRYCREATE", "Mailbox does not exist")
		}
		return errNoMailbox
	}
	return s.need(m, acl.Insert)
}

// appendBatch is the messages of one APPEND, read before any is stored.
type appendBatch struct {
	mem      []mailbox.AppendMessage
	prepared []mailbox.PreparedAppend
}

// readAppendMessages reads every message of the command. Flags the
// session may not set are dropped (docs/CYRUS-BEHAVIOUR.md §3.6).
func (s *session) readAppendMessages(ap *wire.AppendParser, target *flagTarget, stageDir string) (*appendBatch, error) {
	b := &appendBatch{}
	for {
		msg, err := ap.Next()
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, readErr(err)
		}
		fs, err := splitFlags(msg.Flags)
		if err != nil {
			return b, err
		}
		fs = target.filter(fs)
		date := msg.Date
		if date.IsZero() {
			date = time.Now()
		}
		// The size limit applies again to what is stored (bare LF made
		// CRLF, binary parts base64). A refused message's unread bytes
		// are drained by the wire.Reader before the next command.
		lim := mailbox.SpoolLimits{MaxSize: s.srv.maxMessage}
		restore := func() {}
		if msg.Catenate {
			// Spooled as it is assembled (catenate.go, which refuses NUL in
			// an ordinary TEXT literal). A literal8 TEXT part may hold NUL or
			// bare LF, so the whole is stored as a literal8 APPEND is.
			outer := s.admitMessage
			cat := s.readCatenate(ap)
			restore = func() { cat.Close(); s.admitMessage = outer }
			msg.Body, msg.Size, msg.Binary = cat, inMemoryLimit+1, true
		}
		body, err := s.appendBody(msg, stageDir)
		if err != nil {
			restore()
			return b, readErr(err)
		}
		if msg.Size > inMemoryLimit || len(b.prepared) > 0 {
			if err := b.spoolAll(s, stageDir); err != nil {
				body.Close()
				restore()
				return b, err
			}
			spool := mailbox.SpoolUnnamed
			if len(b.prepared) >= maxUnnamedSpools {
				spool = mailbox.Spool // each unnamed file holds a descriptor
			}
			p, err := spool(s.ctx, stageDir, body, lim)
			body.Close()
			restore()
			if err != nil {
				return b, readErr(err)
			}
			b.prepared = append(b.prepared, mailbox.PreparedAppend{Msg: p, Flags: fs.system, Keywords: fs.keywords, InternalDate: date})
			continue
		}
		if msg.Binary { // already in memory
			b.mem = append(b.mem, mailbox.AppendMessage{Body: body, Flags: fs.system, Keywords: fs.keywords, InternalDate: date, Limits: lim})
			continue
		}
		data := make([]byte, msg.Size)
		if _, err := io.ReadFull(msg.Body, data); err != nil {
			return b, readErr(err)
		}
		b.mem = append(b.mem, mailbox.AppendMessage{Body: bytes.NewReader(data), Flags: fs.system, Keywords: fs.keywords, InternalDate: date, Limits: lim})
	}
}

// appendBody is what is stored of an APPEND message: the literal as
// sent, or, for a literal8 (RFC 3516 §4.2), its storable form
// (mailbox.OpenBinary): each part whose Content-Transfer-Encoding is
// binary, or that holds NUL, re-encoded as base64 from its exact bytes,
// as Cyrus does, so BINARY[part] gives them back while BODY[] never
// carries a NUL. A literal8 up to inMemoryLimit is held in memory.
func (s *session) appendBody(msg *wire.AppendMessage, stageDir string) (io.ReadCloser, error) {
	if !msg.Binary {
		return io.NopCloser(msg.Body), nil
	}
	size := msg.Size
	if msg.Catenate {
		size = -1 // assembled as it is read: its size is known at the end
	}
	return mailbox.OpenBinary(s.ctx, stageDir, msg.Body, size, inMemoryLimit)
}

// spoolAll moves the messages held in memory to spool files, so that one
// batch is all of one kind.
func (b *appendBatch) spoolAll(s *session, stageDir string) error {
	for _, m := range b.mem {
		p, err := mailbox.SpoolUnnamed(s.ctx, stageDir, m.Body, m.Limits)
		if err != nil {
			return err
		}
		b.prepared = append(b.prepared, mailbox.PreparedAppend{Msg: p, Flags: m.Flags, Keywords: m.Keywords, InternalDate: m.InternalDate})
	}
	b.mem = nil
	return nil
}

// commit appends the batch atomically.
func (b *appendBatch) commit(s *session, mb *mailbox.Mailbox) ([]uint32, error) {
	if len(b.prepared) > 0 {
		return mb.AppendPrepared(s.ctx, b.prepared)
	}
	return mb.Append(s.ctx, b.mem)
}

// discard removes spool files left behind.
func (b *appendBatch) discard() {
	if b == nil {
		return
	}
	for _, p := range b.prepared {
		p.Msg.Remove()
	}
}

// readErr keeps protocol errors as they are and marks any other failure
// to read from the client as a connection failure.
func readErr(err error) error {
	var we *wire.Error
	if errors.As(err, &we) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return connErr(err)
	}
	return err
}
