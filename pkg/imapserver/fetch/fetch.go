package fetch

import (
	"encoding/hex"
	"os"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"

	"github.com/emersion/go-imap/v2"
)

// Message is the message a FETCH response describes.
type Message struct {
	Seq, UID uint32
	Flags    []string // as the session computed them (\Seen, \Recent, keywords)
	ModSeq   uint64
	Record   mailbox.Record
	View     *mailbox.View // for View.Cached(Record)
	// Open opens the raw message file (CRLF line ends). It is called only
	// when an item needs the body, at most once per Write.
	Open func() (*os.File, error)
	// Cached optionally supplies the cache entry already read (for example
	// through View.ForEachCached when fetching many envelopes); nil means
	// View.Cached(Record) is called when an item needs it.
	Cached *mailbox.Cached
}

// Write writes the items' "NAME value" pairs, separated by spaces, through
// w.FetchItem; the caller writes "* n FETCH (" and ")". seen reports that a
// non-PEEK body item was included (the caller then sets \Seen where
// allowed). Every item needing the cache or the message file is resolved
// before anything is written, so an error other than the writer's own
// (which is fatal to the connection) leaves w untouched; an
// unknown Content-Transfer-Encoding under BINARY is a *wire.Error NO
// [UNKNOWN-CTE].
func Write(w *wire.Writer, m *Message, items []wire.FetchItem) (seen bool, err error) {
	return write(w, m, items, false)
}

// Respond is Write with the whole "* n FETCH (...)" response: nothing at
// all is written when an item cannot be resolved, so that the caller can
// answer differently (ErrUnavailable: Cyrus's "* OK Message n no longer
// exists") and go on with the next message.
func Respond(w *wire.Writer, m *Message, items []wire.FetchItem) (seen bool, err error) {
	return write(w, m, items, true)
}

func write(w *wire.Writer, m *Message, items []wire.FetchItem, framed bool) (seen bool, err error) {
	r := resolver{m: m}
	defer r.close()
	var payloads []payload
	for i, it := range items {
		seen = seen || it.SetsSeen()
		var p payload
		switch it.Attr {
		case wire.FetchEnvelope, wire.FetchBody, wire.FetchBodyStructure:
			if _, err := r.loadCached(); err != nil {
				return seen, err
			}
			continue
		case wire.FetchRFC822:
			p, err = r.body(wire.Section{})
		case wire.FetchRFC822Header:
			p, err = r.body(wire.Section{Specifier: imap.PartSpecifierHeader})
		case wire.FetchRFC822Text:
			p, err = r.body(wire.Section{Specifier: imap.PartSpecifierText})
		case wire.FetchBodySection:
			p, err = r.body(it.Section)
		case wire.FetchBinary, wire.FetchBinarySize:
			p, err = r.binary(it.Section.Part)
		case wire.FetchPreview:
			p, err = r.preview()
		default:
			continue
		}
		if err != nil {
			return seen, err
		}
		if payloads == nil {
			payloads = make([]payload, len(items))
		}
		payloads[i] = p
	}
	if framed {
		w.BeginMessage(m.Seq, m.UID)
	}
	for i, it := range items {
		if err := writeItem(w, &r, it, payloads, i); err != nil {
			return seen, err
		}
	}
	if framed {
		w.EndFetch()
	}
	return seen, w.Err()
}

// writeItem writes item i; body items were resolved into payloads[i].
func writeItem(w *wire.Writer, r *resolver, it wire.FetchItem, payloads []payload, i int) error {
	m := r.m
	switch it.Attr {
	case wire.FetchUID:
		w.FetchItem("UID").Number(uidOf(m))
	case wire.FetchFlags:
		w.FetchItem("FLAGS").Open()
		for i, f := range m.Flags {
			if i > 0 {
				w.SP()
			}
			w.Atom(f)
		}
		w.Close()
	case wire.FetchInternalDate:
		w.FetchItem("INTERNALDATE").DateTime(m.Record.InternalDate())
	case wire.FetchRFC822Size:
		w.FetchItem("RFC822.SIZE").Number(m.Record.Size)
	case wire.FetchModSeq:
		w.FetchItem("MODSEQ").Open().Number64(modSeqOf(m)).Close()
	case wire.FetchEnvelope:
		var addrs [16]wire.Address
		env := envelopeInto(addrs[:0], &r.cached.Envelope)
		w.FetchItem("ENVELOPE").Envelope(&env)
	case wire.FetchBody:
		w.FetchItem("BODY").BodyStructure(bodyOf(r.cached.Body), false)
	case wire.FetchBodyStructure:
		w.FetchItem("BODYSTRUCTURE").BodyStructure(bodyOf(r.cached.Body), true)
	case wire.FetchEmailID:
		// Cyrus's EMAILID: "M" and the first 24 hex digits of the GUID.
		w.FetchItem("EMAILID").Open().Atom("M" + hex.EncodeToString(m.Record.GUID[:12])).Close()
	case wire.FetchThreadID:
		w.FetchItem("THREADID").NIL() // no conversations database: no threads (RFC 8474 §5.2)
	case wire.FetchSaveDate:
		w.FetchItem("SAVEDATE")
		if m.Record.SaveDate().IsZero() {
			w.NIL()
		} else {
			w.DateTime(m.Record.SaveDate())
		}
	case wire.FetchPreview:
		w.FetchItem("PREVIEW").String(string(payloads[i].data))
	case wire.FetchBinarySize:
		w.FetchItem(it.ResponseName()).Number64(uint64(payloads[i].size))
	case wire.FetchRFC822, wire.FetchRFC822Header, wire.FetchRFC822Text,
		wire.FetchBodySection, wire.FetchBinary:
		w.FetchItem(it.ResponseName())
		partial := it.Partial
		if it.Attr != wire.FetchBodySection && it.Attr != wire.FetchBinary {
			partial = nil
		}
		return payloads[i].write(w, r.mf.r, partial)
	}
	return w.Err()
}

func uidOf(m *Message) uint32 {
	if m.UID != 0 {
		return m.UID
	}
	return m.Record.UID
}

func modSeqOf(m *Message) uint64 {
	if m.ModSeq != 0 {
		return m.ModSeq
	}
	return m.Record.ModSeq
}
