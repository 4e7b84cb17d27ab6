package main

import (
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// lmtpClient is the small LMTP client deliver needs: unlike go-smtp's it
// sends bare user names and IGNOREQUOTA, and reads one reply per
// recipient after DATA.
type lmtpClient struct {
	nc net.Conn
	tp *textproto.Conn
}

// rcptResult is a recipient's final reply.
type rcptResult struct {
	Rcpt string
	Code int
	Text string
}

func dialLMTP(socket string, timeout time.Duration) (*lmtpClient, error) {
	nc, err := net.DialTimeout("unix", socket, timeout)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(timeout))
	c := &lmtpClient{nc: nc, tp: textproto.NewConn(nc)}
	if _, _, err := c.tp.ReadResponse(220); err != nil {
		nc.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if err := c.cmd(250, "LHLO %s", "localhost"); err != nil {
		nc.Close()
		return nil, fmt.Errorf("LHLO: %w", err)
	}
	return c, nil
}

func (c *lmtpClient) cmd(expect int, format string, a ...any) error {
	if err := c.tp.PrintfLine(format, a...); err != nil {
		return err
	}
	_, _, err := c.tp.ReadResponse(expect)
	return err
}

// reply reads one reply without judging it.
func (c *lmtpClient) reply() (int, string, error) {
	code, msg, err := c.tp.ReadResponse(0)
	if _, ok := err.(*textproto.Error); ok {
		err = nil
	}
	return code, msg, err
}

// send runs one transaction. Recipients refused at RCPT get that reply;
// the others get their DATA reply.
func (c *lmtpClient) send(from, authid string, rcpts []string, ignoreQuota bool, msg io.Reader) ([]rcptResult, error) {
	mail := fmt.Sprintf("MAIL FROM:<%s>", from)
	if authid != "" {
		mail += " AUTH=" + xtext(authid)
	} else {
		mail += " AUTH=<>"
	}
	if err := c.cmd(250, "%s", mail); err != nil {
		return nil, fmt.Errorf("MAIL: %w", err)
	}
	results := make([]rcptResult, len(rcpts))
	var accepted []int
	for i, r := range rcpts {
		line := fmt.Sprintf("RCPT TO:<%s>", r)
		if ignoreQuota {
			line += " IGNOREQUOTA"
		}
		if err := c.tp.PrintfLine("%s", line); err != nil {
			return nil, err
		}
		code, text, err := c.reply()
		if err != nil {
			return nil, err
		}
		results[i] = rcptResult{Rcpt: r, Code: code, Text: text}
		if code == 250 {
			accepted = append(accepted, i)
		}
	}
	if len(accepted) == 0 {
		c.cmd(250, "RSET")
		return results, nil
	}
	if err := c.cmd(354, "DATA"); err != nil {
		return nil, fmt.Errorf("DATA: %w", err)
	}
	c.nc.SetDeadline(time.Time{})
	// The message streams through one buffer: DotWriter stuffs dots and
	// makes every bare LF a CRLF, so a "." line in the input stays text
	// and lmtpd sees only CRLF line ends.
	w := c.tp.DotWriter()
	if _, err := io.Copy(w, msg); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	c.nc.SetDeadline(time.Now().Add(5 * time.Minute))
	for _, i := range accepted {
		code, text, err := c.reply()
		if err != nil {
			return nil, err
		}
		results[i].Code, results[i].Text = code, text
	}
	return results, nil
}

func (c *lmtpClient) close() {
	c.cmd(221, "QUIT")
	c.nc.Close()
}

// xtext encodes an AUTH= value (RFC 3461).
func xtext(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < '!' || ch > '~' || ch == '+' || ch == '=' {
			fmt.Fprintf(&b, "+%02X", ch)
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}
