package imapserver

import (
	"bytes"
	"errors"
	"io"

	"gocyrus/pkg/imapserver/fetch"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/imapurl"
	"gocyrus/pkg/mailbox"
)

// catReader is the message of one "CATENATE (...)" (RFC 4469), read part
// after part as the spool consumes it: TEXT literals stream from the
// connection, URL parts from the message files they name. The spool
// applies maxmessagesize to the assembled message ([TOOBIG]) and the
// commit applies the quota to it; any failure (a [BADURL] included)
// fails the whole APPEND before anything is committed, so nothing is
// half-appended.
type catReader struct {
	s   *session
	ap  *wire.AppendParser
	cur io.Reader
	url *fetch.Content // the URL part being read, closed when done
	nul bool           // the current TEXT part may not hold NUL
	eof bool
	// read counts the assembled bytes: URL parts are not admitted like
	// literals, and the message is staged whole (mailbox.OpenBinary) before
	// the spool's own limit applies, so the bound is kept here.
	read int64
}

// readCatenate returns the reader of the CATENATE message ap is at. TEXT
// literals are admitted ("+ go ahead") while their running total stays
// within maxmessagesize.
func (s *session) readCatenate(ap *wire.AppendParser) *catReader {
	var total int64
	s.admitMessage = func(size int64) error {
		if total+size > s.srv.maxMessage {
			return errMessageTooLarge
		}
		total += size
		return nil
	}
	return &catReader{s: s, ap: ap}
}

func (c *catReader) Read(p []byte) (int, error) {
	for {
		if c.eof {
			return 0, io.EOF
		}
		if c.cur != nil {
			n, err := c.cur.Read(p)
			if c.nul && bytes.IndexByte(p[:n], 0) >= 0 {
				return 0, mailbox.ErrNUL // a TEXT literal is not a literal8
			}
			if c.read += int64(n); c.read > c.s.srv.maxMessage {
				return 0, errMessageTooLarge
			}
			if err == io.EOF {
				c.closePart()
				err = nil
				if n == 0 {
					continue
				}
			}
			return n, err
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
}

// next moves to the next part, or to the end of the list.
func (c *catReader) next() error {
	part, err := c.ap.NextPart()
	if errors.Is(err, io.EOF) {
		c.eof = true
		return nil
	}
	if err != nil {
		return readErr(err)
	}
	if part.URL == "" {
		c.cur, c.nul = part.Body, !part.Binary
		return nil
	}
	u, err := imapurl.Parse(part.URL)
	if err != nil {
		return badURL(part.URL, "Bad URL")
	}
	if u.HasURLAuth() {
		// RFC 4469 §5 lets a server refuse URLAUTH URLs here; the session's
		// own rights already cover what it may read.
		return badURL(part.URL, "URLAUTH URLs are not accepted in CATENATE")
	}
	content, err := c.s.openURL(part.URL, u, urlReader{}, false)
	if err != nil {
		return err
	}
	c.url, c.cur, c.nul = content, content, false
	return nil
}

func (c *catReader) closePart() {
	if c.url != nil {
		c.url.Close()
		c.url = nil
	}
	c.cur = nil
}

// Close releases an open URL part.
func (c *catReader) Close() { c.closePart() }
