package sieveclient

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xdg-go/scram"
)

// AuthenticateSCRAM authenticates with SCRAM-SHA-256 or SCRAM-SHA-1
// (RFC 5802, RFC 7677), the mechanisms Cyrus's clients prefer when the
// server offers them, so the password never crosses the wire; the
// server's signature is checked before success is believed.
func (c *Client) AuthenticateSCRAM(mech, authz, authn, password string) error {
	hash := scram.SHA256
	switch mech {
	case "SCRAM-SHA-256":
	case "SCRAM-SHA-1":
		hash = scram.SHA1
	default:
		return fmt.Errorf("authentication: %s is not a SCRAM mechanism", mech)
	}
	if authz == authn {
		authz = ""
	}
	sc, err := hash.NewClient(authn, password, authz)
	if err != nil {
		return fmt.Errorf("authentication: %w", err)
	}
	conv := sc.NewConversation()
	first, err := conv.Step("")
	if err != nil {
		return fmt.Errorf("authentication: %w", err)
	}
	if err := c.send(`AUTHENTICATE "` + mech + `" ` + quote(b64(first))); err != nil {
		return err
	}
	for {
		l, err := c.readLine()
		if err != nil {
			return c.fail(err)
		}
		if status, ok := statusWord(l.text); ok {
			se, err := parseStatus(status, l)
			if err != nil {
				return c.fail(err)
			}
			if se != nil {
				if se.Status == "BYE" {
					c.fail(se)
				}
				return fmt.Errorf("authentication: %w", se)
			}
			// The server's final message may come with the OK.
			code, _ := parseStatusCode(status, l)
			if data, ok := strings.CutPrefix(code, "SASL "); ok && !conv.Done() {
				p := &parser{s: data, lits: l.lits}
				final, err := p.str()
				if err == nil {
					_, err = stepB64(conv, final)
				}
				if err != nil {
					return c.fail(fmt.Errorf("authentication: the server's final message: %w", err))
				}
			}
			if !conv.Valid() {
				return c.fail(errors.New("authentication: the server did not prove it knows the password"))
			}
			return nil
		}
		p := &parser{s: l.text, lits: l.lits}
		chal, err := p.str()
		if err != nil {
			return c.fail(fmt.Errorf("authentication: a challenge: %w", err))
		}
		resp, err := stepB64(conv, chal)
		if err != nil {
			// Abort the exchange (RFC 5804 §2.1) and read the refusal.
			c.send(`"*"`)
			c.response()
			return fmt.Errorf("authentication: %w", err)
		}
		if err := c.send(quote(b64(resp))); err != nil {
			return err
		}
	}
}

// parseStatusCode returns the response code of a status line.
func parseStatusCode(status string, l line) (string, error) {
	p := &parser{s: l.text[len(status):], lits: l.lits}
	p.space()
	if p.peek() != '(' {
		return "", nil
	}
	end := strings.IndexByte(p.s[p.i:], ')')
	if end < 0 {
		return "", errors.New("a response code without ')'")
	}
	return p.s[p.i+1 : p.i+end], nil
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func stepB64(conv *scram.ClientConversation, in string) (string, error) {
	dec, err := base64.StdEncoding.DecodeString(in)
	if err != nil {
		return "", fmt.Errorf("bad base64: %w", err)
	}
	return conv.Step(string(dec))
}

// send writes one line, within the session's timeout.
func (c *Client) send(s string) error {
	if c.broken != nil {
		return ErrBroken
	}
	c.conn.SetDeadline(time.Now().Add(c.o.Timeout))
	c.w.WriteString(s + "\r\n")
	if err := c.w.Flush(); err != nil {
		return c.fail(fmt.Errorf("send: %w", err))
	}
	return nil
}
