package wire

import (
	"io"
	"time"

	"github.com/emersion/go-imap/v2"
)

// AppendMessage is one message of an APPEND (several with MULTIAPPEND,
// RFC 3502). Body streams the literal; it must be consumed (or abandoned)
// before the next call to AppendParser.Next.
type AppendMessage struct {
	Flags  []imap.Flag
	Date   time.Time // zero when absent
	Size   int64
	Binary bool // sent as literal8 (RFC 3516): may contain NUL
	Body   io.Reader
	// Catenate: the message is "CATENATE (...)" (RFC 4469); its parts
	// come from AppendParser.NextPart, and Size and Body are unset.
	Catenate bool
	// UTF8: the message was sent as "UTF8 (~{n}...)" (RFC 6855 §4): a
	// literal8 whose header may carry UTF-8, stored as sent.
	UTF8 bool
}

// AppendParser reads APPEND's arguments incrementally, so that message
// bodies are streamed to the spool instead of held in memory.
type AppendParser struct {
	Mailbox string
	r       *Reader
	n       int
	done    bool
	inCat   bool // inside CATENATE's list
	parts   int  // parts read of the current CATENATE
	single  bool // REPLACE: exactly one message
	// AcceptUTF8 admits RFC 6855's "UTF8 (literal8)" message and part
	// forms: set by a session that enabled UTF8=ACCEPT. Without it they
	// are a syntax error, refused before the literal is read.
	AcceptUTF8 bool
	closeUTF8  bool // a UTF8 literal was returned: its ")" follows it
}

// ParseAppend reads "SP mailbox" and returns a parser for the messages.
func ParseAppend(r *Reader) (*AppendParser, error) {
	r.sp()
	p := &AppendParser{Mailbox: r.astring(), r: r}
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

// Next returns the next message, or io.EOF after the last one (when the
// command's end has been consumed).
func (p *AppendParser) Next() (*AppendMessage, error) {
	if p.done {
		return nil, io.EOF
	}
	r := p.r
	if err := p.endUTF8(); err != nil {
		return nil, err
	}
	if p.n > 0 && (r.AtEOL() || p.single) {
		p.done = true
		if _, err := end(r, 0); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	r.sp()
	m := &AppendMessage{}
	if r.peek() == '(' {
		m.Flags = r.flagList()
		r.sp()
	}
	if r.peek() == '"' {
		m.Date = r.dateTime()
		r.sp()
	}
	p.n++
	if r.peek() == 'C' || r.peek() == 'c' {
		if kw := r.keyword(); kw != "CATENATE" && r.err == nil {
			r.fail(syntaxErr("expected message literal or CATENATE"))
		}
		r.sp()
		r.expect('(', "(")
		if r.err != nil {
			return nil, r.err
		}
		m.Catenate, p.inCat = true, true
		return m, nil
	}
	if r.peek() == 'U' || r.peek() == 'u' {
		m.UTF8 = true
		if !p.startUTF8() {
			return nil, r.err
		}
	}
	info, body := r.literalStream()
	if r.err != nil {
		return nil, r.err
	}
	m.Size, m.Binary, m.Body = info.Size, info.Binary, &literalBody{r: body, left: info.Size}
	return m, nil
}

// startUTF8 reads `"UTF8" SP "("` (RFC 6855 §4: append-data and cat-part
// may be "UTF8" SP "(" literal8 ")"); the ")" is read by endUTF8 once
// the caller has consumed the literal.
func (p *AppendParser) startUTF8() bool {
	r := p.r
	switch kw := r.keyword(); {
	case r.err != nil:
	case kw != "UTF8":
		r.fail(syntaxErr("expected message literal"))
	case !p.AcceptUTF8:
		r.fail(syntaxErr("UTF8 message literal without ENABLE UTF8=ACCEPT"))
	}
	r.sp()
	return p.openUTF8()
}

// openUTF8 reads the "(" and checks that a literal8 follows; an ordinary
// literal is refused before its continuation is sent, so the client never
// sends it.
func (p *AppendParser) openUTF8() bool {
	r := p.r
	r.expect('(', "(")
	if r.err == nil && r.peek() != '~' {
		r.fail(syntaxErr("UTF8 data must be a literal8"))
	}
	p.closeUTF8 = r.err == nil
	return r.err == nil
}

// endUTF8 reads the ")" closing a UTF8 item returned before.
func (p *AppendParser) endUTF8() error {
	if !p.closeUTF8 {
		return nil
	}
	p.closeUTF8 = false
	p.r.expect(')', ")")
	return p.r.err
}

// literalBody turns an early end of the connection into
// io.ErrUnexpectedEOF so that a truncated message is never stored.
type literalBody struct {
	r    io.Reader
	left int64
}

func (b *literalBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err == io.EOF && b.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// CatPart is one part of a CATENATE message (RFC 4469 §5): a URL or a
// TEXT literal (streamed like a message body).
type CatPart struct {
	URL    string // "" for TEXT
	Size   int64
	Binary bool // TEXT sent as literal8
	Body   io.Reader
}

// NextPart returns the next part of the current CATENATE message, or
// io.EOF after its closing parenthesis. A TEXT body must be consumed (or
// abandoned) before the next call.
func (p *AppendParser) NextPart() (*CatPart, error) {
	r := p.r
	if !p.inCat {
		return nil, io.EOF
	}
	if err := p.endUTF8(); err != nil {
		return nil, err
	}
	if p.parts > 0 && r.Consume(')') {
		p.inCat, p.parts = false, 0
		return nil, io.EOF
	}
	if p.parts > 0 {
		r.sp()
	}
	kw := r.keyword()
	if r.err != nil {
		return nil, r.err
	}
	p.parts++
	r.sp()
	switch kw {
	case "URL":
		u := r.astring()
		if r.err != nil {
			return nil, r.err
		}
		return &CatPart{URL: u}, nil
	case "TEXT":
		info, body := r.literalStream()
		if r.err != nil {
			return nil, r.err
		}
		return &CatPart{Size: info.Size, Binary: info.Binary, Body: &literalBody{r: body, left: info.Size}}, nil
	case "UTF8":
		if !p.AcceptUTF8 {
			break
		}
		if !p.openUTF8() {
			return nil, r.err
		}
		info, body := r.literalStream()
		if r.err != nil {
			return nil, r.err
		}
		return &CatPart{Size: info.Size, Binary: true, Body: &literalBody{r: body, left: info.Size}}, nil
	}
	// The rest of the line may announce a literal: a wire.Error makes
	// the reader skip the command safely.
	r.fail(syntaxErr("expected URL or TEXT in CATENATE"))
	return nil, r.err
}
