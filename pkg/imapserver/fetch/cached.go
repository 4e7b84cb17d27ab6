package fetch

import (
	"mime"
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// envelopeOf maps a cached envelope onto the wire's.
func envelopeOf(e *mailbox.Envelope) *wire.Envelope {
	out := envelopeInto(nil, e)
	return &out
}

// envelopeInto maps e, appending the addresses to buf: with a buffer on
// the caller's stack, rendering an envelope allocates nothing.
func envelopeInto(buf []wire.Address, e *mailbox.Envelope) wire.Envelope {
	lists := [...][]mailbox.Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc}
	var out [len(lists)][]wire.Address
	for i, l := range lists {
		start := len(buf)
		for _, a := range l {
			buf = append(buf, wire.Address{Name: headerText(a.Name), ADL: a.Route, Mailbox: a.Mailbox, Host: a.Host})
		}
		if len(l) > 0 {
			out[i] = buf[start:len(buf):len(buf)]
		}
	}
	return wire.Envelope{
		Date: e.Date, Subject: headerText(e.Subject),
		From: out[0], Sender: out[1], ReplyTo: out[2], To: out[3], Cc: out[4], Bcc: out[5],
		InReplyTo: e.InReplyTo, MessageID: e.MessageID,
	}
}

// headerText turns decoded header text back into what a header may carry:
// ASCII as it is, anything else as RFC 2047 utf-8 encoded words. Raw 8-bit
// bytes that are not UTF-8 (a Latin-1 header sent unencoded) have no known
// charset: each becomes 'X', as Cyrus munges 8-bit header bytes, so the word
// never claims utf-8 for bytes that are not.
func headerText(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < ' ' && c != '\t' {
			if !utf8.ValidString(s) {
				return headerText(mungeInvalid(s)) // valid now: one level
			}
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}

// mungeInvalid replaces each byte of s that is not part of a UTF-8
// sequence with 'X'.
func mungeInvalid(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteByte('X')
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// bodyOf maps a cached body structure onto the wire's, in the upper case
// Cyrus uses for types, encodings and names.
func bodyOf(b *mailbox.BodyStructure) *wire.BodyStructure {
	if b == nil {
		return &wire.BodyStructure{Type: "TEXT", Subtype: "PLAIN", Encoding: "7BIT",
			Params: []wire.Param{{Name: "CHARSET", Value: "us-ascii"}}}
	}
	out := &wire.BodyStructure{
		Type:              strings.ToUpper(b.Type),
		Subtype:           strings.ToUpper(b.Subtype),
		Params:            paramsOf(b.Params),
		ID:                b.ID,
		Description:       headerText(b.Description),
		Encoding:          strings.ToUpper(b.Encoding),
		Size:              int64(b.Size),
		Lines:             int64(b.Lines),
		MD5:               b.MD5,
		Disposition:       strings.ToUpper(b.Disposition),
		DispositionParams: paramsOf(b.DispositionParams),
		Language:          b.Language,
		Location:          b.Location,
	}
	if len(b.Parts) > 0 {
		out.Type = "MULTIPART"
		out.Parts = make([]*wire.BodyStructure, len(b.Parts))
		for i, p := range b.Parts {
			out.Parts[i] = bodyOf(p)
		}
	}
	if b.Message != nil || b.Envelope != nil {
		out.Message = bodyOf(b.Message)
		if b.Envelope != nil {
			out.Envelope = envelopeOf(b.Envelope)
		}
	}
	return out
}

func paramsOf(ps []mailbox.Param) []wire.Param {
	if len(ps) == 0 {
		return nil
	}
	out := make([]wire.Param, len(ps))
	for i, p := range ps {
		out[i] = wire.Param{Name: strings.ToUpper(p.Name), Value: headerText(p.Value)}
	}
	return out
}
