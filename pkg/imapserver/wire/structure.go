package wire

import "strings"

// Envelope mirrors RFC 3501's envelope (§7.4.2). Strings are the raw header
// values (still MIME-encoded, as the RFC requires); an empty string is sent
// as NIL, so absent and empty headers look the same, as in Cyrus.
type Envelope struct {
	Date, Subject                      string
	From, Sender, ReplyTo, To, Cc, Bcc []Address
	InReplyTo, MessageID               string
}

// Address is one element of an envelope address list. RFC 2822 groups are
// written as a start marker {Mailbox: "group name"} (Host empty) and an end
// marker Address{} (everything empty).
type Address struct {
	Name, ADL, Mailbox, Host string
}

// Param is a MIME parameter; order is kept as in the message.
type Param struct {
	Name, Value string
}

// BodyStructure mirrors RFC 3501's body (§7.4.2, §9 "body"). A multipart
// has Parts and Type "MULTIPART"; message/rfc822 has Envelope, Message and
// Lines; text/* has Lines. The extension fields are written only for
// BODYSTRUCTURE.
type BodyStructure struct {
	Type, Subtype string // upper or lower case, written as given
	Params        []Param
	ID            string
	Description   string
	Encoding      string // Content-Transfer-Encoding, "7BIT" when absent
	Size          int64  // octets of the encoded body
	Lines         int64  // text/* and message/rfc822

	Envelope *Envelope      // message/rfc822
	Message  *BodyStructure // message/rfc822

	Parts []*BodyStructure // multipart

	// Extension data (BODYSTRUCTURE only).
	MD5               string // single part only
	Disposition       string
	DispositionParams []Param
	Language          []string
	Location          string
}

// IsMultipart reports whether b is a multipart body.
func (b *BodyStructure) IsMultipart() bool { return len(b.Parts) > 0 }

// Envelope writes an envelope list.
func (w *Writer) Envelope(e *Envelope) *Writer {
	if w.err == nil {
		w.grab()
		w.buf = AppendEnvelope(w.buf, e)
		w.spill()
	}
	return w
}

// AppendEnvelope appends e as an IMAP envelope list: one pass over a byte
// slice rather than a writer call per token (FETCH ENVELOPE writes some
// sixty tokens a message).
func AppendEnvelope(b []byte, e *Envelope) []byte {
	b = appendNString(append(b, '('), e.Date)
	b = appendNString(append(b, ' '), e.Subject)
	for _, list := range [...][]Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
		b = appendAddressList(append(b, ' '), list)
	}
	b = appendNString(append(b, ' '), e.InReplyTo)
	b = appendNString(append(b, ' '), e.MessageID)
	return append(b, ')')
}

func appendAddressList(b []byte, list []Address) []byte {
	if len(list) == 0 {
		return append(b, "NIL"...)
	}
	b = append(b, '(')
	for _, a := range list {
		b = appendNString(append(b, '('), a.Name)
		b = appendNString(append(b, ' '), a.ADL)
		if a.Host != "" {
			// A mailbox (not a group marker) always has a mailbox name
			// (RFC 3501 §7.4.2): "<>" and "@host" send "", as Cyrus does.
			b = AppendString(append(b, ' '), a.Mailbox)
		} else {
			b = appendNString(append(b, ' '), a.Mailbox)
		}
		b = appendNString(append(b, ' '), a.Host)
		b = append(b, ')')
	}
	return append(b, ')')
}

// appendNString appends s with AppendString, or NIL when s is empty (see
// Writer.NString).
func appendNString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "NIL"...)
	}
	return AppendString(b, s)
}

// BodyStructure writes b as BODY (extended false) or BODYSTRUCTURE
// (extended true). Nesting is bounded by the caller's data, which the store
// builds from a parsed message.
func (w *Writer) BodyStructure(b *BodyStructure, extended bool) *Writer {
	w.raw("(")
	if b.IsMultipart() {
		for _, p := range b.Parts {
			w.BodyStructure(p, extended)
		}
		w.SP().String(b.Subtype)
		if extended {
			w.SP().params(b.Params).SP().disposition(b).SP().language(b.Language).SP().NString(b.Location)
		}
		return w.raw(")")
	}
	w.String(b.Type).SP().String(b.Subtype).SP().params(b.Params).SP().
		NString(b.ID).SP().NString(b.Description).SP()
	enc := b.Encoding
	if enc == "" {
		enc = "7BIT"
	}
	w.String(enc).SP().Number64(uint64(max(b.Size, 0)))
	switch {
	case b.Message != nil:
		env := b.Envelope
		if env == nil {
			env = &Envelope{}
		}
		w.SP().Envelope(env).SP().BodyStructure(b.Message, extended).SP().Number64(uint64(max(b.Lines, 0)))
	case strings.EqualFold(b.Type, "TEXT"):
		w.SP().Number64(uint64(max(b.Lines, 0)))
	}
	if extended {
		w.SP().NString(b.MD5).SP().disposition(b).SP().language(b.Language).SP().NString(b.Location)
	}
	return w.raw(")")
}

func (w *Writer) params(ps []Param) *Writer {
	if len(ps) == 0 {
		return w.NIL()
	}
	w.raw("(")
	for i, p := range ps {
		if i > 0 {
			w.SP()
		}
		w.String(p.Name).SP().String(p.Value)
	}
	return w.raw(")")
}

func (w *Writer) disposition(b *BodyStructure) *Writer {
	if b.Disposition == "" {
		return w.NIL()
	}
	return w.raw("(").String(b.Disposition).SP().params(b.DispositionParams).raw(")")
}

func (w *Writer) language(langs []string) *Writer {
	switch len(langs) {
	case 0:
		return w.NIL()
	case 1:
		return w.String(langs[0])
	}
	w.raw("(")
	for i, l := range langs {
		if i > 0 {
			w.SP()
		}
		w.String(l)
	}
	return w.raw(")")
}
