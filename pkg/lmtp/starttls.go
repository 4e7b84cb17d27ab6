package lmtp

import (
	"bufio"

	"gocyrus/pkg/tlsconf"
)

var (
	replyTLSReady       = &reply{220, "2.0.0", "Ready to start TLS"}
	replyTLSUnavailable = &reply{454, "4.7.0", "TLS not available"}
	replyTLSActive      = &reply{503, "5.5.1", "Already using TLS"}
	replyTLSPipelined   = &reply{501, "5.5.4", "STARTTLS must be the last command of a group"}
)

// canStartTLS: a certificate is configured and TLS is not active yet.
func (c *conn) canStartTLS() bool { return c.srv.TLS != nil && c.ss.connInfo.TLS == nil }

// startTLS runs STARTTLS (RFC 3207). The session starts over afterwards:
// LHLO again, and any AUTH identity is forgotten. It returns false when
// the connection is gone.
func (c *conn) startTLS() bool {
	switch {
	case c.ss.connInfo.TLS != nil:
		c.reply(replyTLSActive)
		return true
	case c.srv.TLS == nil:
		c.reply(replyTLSUnavailable)
		return true
	case c.ss.inMail:
		c.reply(replyNested)
		return true
	case c.r.Buffered() > 0:
		// Commands sent in the clear after STARTTLS could have been
		// injected; refuse rather than run them under TLS.
		c.reply(replyTLSPipelined)
		return true
	}
	c.reply(replyTLSReady)
	if err := c.w.Flush(); err != nil {
		return false
	}
	tc, state, err := tlsconf.Handshake(c.ss.ctx, c.nc, c.srv.TLS)
	if err != nil {
		c.srv.log.Info("TLS handshake failed", "remote", c.nc.RemoteAddr(), "err", err)
		return false
	}
	c.nc = tc
	c.r = bufio.NewReaderSize(tc, 16<<10)
	c.w = bufio.NewWriterSize(tc, 4<<10)
	c.ss.authed = nil
	c.ss.connInfo.TLS = state
	c.ss.reset()
	return true
}
