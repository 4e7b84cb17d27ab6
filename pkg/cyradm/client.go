package cyradm

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// StatusError is a NO or BAD answer to a command. Its text is what
// Cyrus's cyradm prints.
type StatusError struct {
	Status string // NO or BAD
	Code   string
	Text   string
}

func (e *StatusError) Error() string { return e.Text }

// ErrClosed is returned once the connection is gone.
var ErrClosed = errors.New("connection to server lost")

// Result is the outcome of one command: its untagged responses and the
// tagged status.
type Result struct {
	Untagged []*Response
	Code     string
	Text     string
}

// Client is one IMAP connection. It is not safe for concurrent use.
type Client struct {
	conn     net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	seq      int
	caps     map[string]bool
	greeting *Response
	closed   bool
	certSent bool // TLS was set up with a client certificate
	// Timeout bounds each command's round trip; 0 means no limit.
	Timeout time.Duration
}

// DialOptions says how to reach the server.
type DialOptions struct {
	Timeout     time.Duration // connect and per-command limit
	TLS         *tls.Config   // used for implicit TLS and STARTTLS
	ImplicitTLS bool          // speak TLS from the first byte (imaps)
}

// Dial connects to addr (host:port) and reads the greeting.
func Dial(ctx context.Context, addr string, opts DialOptions) (*Client, error) {
	d := net.Dialer{Timeout: opts.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if opts.ImplicitTLS {
		tc, err := tlsHandshake(ctx, conn, opts.TLS)
		if err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	c, err := NewClient(conn, opts.Timeout)
	if err == nil && opts.ImplicitTLS && opts.TLS != nil {
		c.certSent = len(opts.TLS.Certificates) > 0
	}
	return c, err
}

// NewClient reads the greeting on an established connection.
func NewClient(conn net.Conn, timeout time.Duration) (*Client, error) {
	c := &Client{conn: conn, Timeout: timeout}
	c.setConn(conn)
	c.deadline()
	g, err := readResponse(c.br)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("reading the greeting: %w", err)
	}
	if g.Tag != "*" || (g.Name != "OK" && g.Name != "PREAUTH") {
		conn.Close()
		return nil, fmt.Errorf("server refused the connection: %s", g.Text)
	}
	c.greeting = g
	if strings.HasPrefix(strings.ToUpper(g.Code), "CAPABILITY ") {
		c.setCaps(strings.Fields(g.Code)[1:])
	}
	return c, nil
}

func (c *Client) setConn(conn net.Conn) {
	c.conn = conn
	c.br = bufio.NewReader(conn)
	c.bw = bufio.NewWriter(conn)
}

func (c *Client) deadline() {
	if c.Timeout > 0 {
		c.conn.SetDeadline(time.Now().Add(c.Timeout))
	}
}

func (c *Client) setCaps(words []string) {
	c.caps = map[string]bool{}
	for _, w := range words {
		c.caps[strings.ToUpper(w)] = true
	}
}

// Greeting is the server's greeting text.
func (c *Client) Greeting() string { return c.greeting.Text }

// Caps returns the capabilities, asking the server when they are unknown.
func (c *Client) Caps() (map[string]bool, error) {
	if c.caps == nil {
		res, err := c.Execute("CAPABILITY")
		if err != nil {
			return nil, err
		}
		c.caps = map[string]bool{}
		for _, r := range res.Untagged {
			if r.Name == "CAPABILITY" {
				for _, a := range r.Args {
					c.caps[strings.ToUpper(str(a))] = true
				}
			}
		}
	}
	return c.caps, nil
}

// Has reports whether the server offers capability name.
func (c *Client) Has(name string) bool {
	caps, err := c.Caps()
	return err == nil && caps[strings.ToUpper(name)]
}

// Closed reports whether the connection is gone.
func (c *Client) Closed() bool { return c.closed }

// Close drops the connection without LOGOUT.
func (c *Client) Close() error {
	c.closed = true
	return c.conn.Close()
}

// Logout says goodbye and closes the connection.
func (c *Client) Logout() error {
	if c.closed {
		return nil
	}
	_, err := c.Execute("LOGOUT")
	c.Close()
	return err
}

// Execute sends one command built from args (see encodeArg) and waits for
// its tagged answer. A NO or BAD answer is a *StatusError, returned with the
// Result so that untagged data is still available.
func (c *Client) Execute(args ...any) (*Result, error) {
	return c.execute(nil, args...)
}

// execute runs a command; cont, if not nil, answers continuation requests
// that are not literal continuations (AUTHENTICATE).
func (c *Client) execute(cont func(text string) (string, error), args ...any) (*Result, error) {
	if c.closed {
		return nil, ErrClosed
	}
	c.seq++
	tag := "C" + strconv.Itoa(c.seq)
	c.deadline()
	c.bw.WriteString(tag)
	for _, a := range args {
		c.bw.WriteByte(' ')
		if err := c.encodeArg(a); err != nil {
			return nil, c.fail(err)
		}
	}
	c.bw.WriteString("\r\n")
	if err := c.bw.Flush(); err != nil {
		return nil, c.fail(err)
	}
	res := &Result{}
	for {
		r, err := readResponse(c.br)
		if err != nil {
			return nil, c.fail(err)
		}
		switch {
		case r.Tag == "+":
			if cont == nil {
				return nil, c.fail(protoErr("unexpected continuation request"))
			}
			line, err := cont(r.Text)
			if err != nil {
				// Cancel the exchange (RFC 3501 §6.2.2); the server answers NO.
				line = "*"
				cont = func(string) (string, error) { return "*", nil }
			}
			c.bw.WriteString(line + "\r\n")
			if err := c.bw.Flush(); err != nil {
				return nil, c.fail(err)
			}
		case r.Tag == "*":
			if r.Name == "BYE" {
				c.closed = true
			}
			if r.Name == "CAPABILITY" {
				c.caps = nil
				words := make([]string, 0, len(r.Args))
				for _, a := range r.Args {
					words = append(words, str(a))
				}
				c.setCaps(words)
			}
			res.Untagged = append(res.Untagged, r)
		case r.Tag == tag:
			res.Code, res.Text = r.Code, r.Text
			if strings.HasPrefix(strings.ToUpper(r.Code), "CAPABILITY ") {
				c.setCaps(strings.Fields(r.Code)[1:])
			}
			if c.closed && args[0] != "LOGOUT" {
				c.conn.Close()
			}
			if r.Name != "OK" {
				return res, &StatusError{Status: r.Name, Code: r.Code, Text: r.Text}
			}
			return res, nil
		default:
			return nil, c.fail(protoErr("answer with unknown tag %q", r.Tag))
		}
		if c.closed && r.Tag == "*" && args[0] != "LOGOUT" {
			// BYE: the server is going away; its reason is the error.
			c.conn.Close()
			return res, fmt.Errorf("%w: %s", ErrClosed, r.Text)
		}
	}
}

// fail closes the connection after a transport or protocol error.
func (c *Client) fail(err error) error {
	c.closed = true
	c.conn.Close()
	return err
}

// Quoted is an argument always sent as a string, never as an atom (for
// empty rights, values that look like NIL...).
type Quoted string

// encodeArg writes one argument: Atom verbatim, string as an atom when
// safe else quoted else a literal, Quoted as quoted or literal, nil as NIL,
// List in parentheses, []string as a list of strings.
func (c *Client) encodeArg(a any) error {
	switch v := a.(type) {
	case Atom:
		c.bw.WriteString(string(v))
	case string:
		if isAtom(v) {
			c.bw.WriteString(v)
			return nil
		}
		return c.encodeString(v)
	case Quoted:
		return c.encodeString(string(v))
	case nil:
		c.bw.WriteString("NIL")
	case List:
		c.bw.WriteByte('(')
		for i, x := range v {
			if i > 0 {
				c.bw.WriteByte(' ')
			}
			if err := c.encodeArg(x); err != nil {
				return err
			}
		}
		c.bw.WriteByte(')')
	default:
		return fmt.Errorf("cannot encode %T", a)
	}
	return nil
}

// isAtom reports whether s can go on the wire bare (astring-char, and not
// NIL, which would read as no value).
func isAtom(s string) bool {
	if s == "" || strings.EqualFold(s, "NIL") {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b <= ' ' || b >= 0x7f || strings.IndexByte(`(){%*"\`, b) >= 0 {
			return false
		}
	}
	return true
}

func (c *Client) encodeString(s string) error {
	if len(s) < 1000 && !strings.ContainsAny(s, "\r\n\x00") && isASCII(s) {
		c.bw.WriteByte('"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				c.bw.WriteByte('\\')
			}
			c.bw.WriteByte(s[i])
		}
		c.bw.WriteByte('"')
		return nil
	}
	if c.Has("LITERAL+") {
		fmt.Fprintf(c.bw, "{%d+}\r\n%s", len(s), s)
		return nil
	}
	fmt.Fprintf(c.bw, "{%d}\r\n", len(s))
	if err := c.bw.Flush(); err != nil {
		return err
	}
	for {
		r, err := readResponse(c.br)
		if err != nil {
			return err
		}
		if r.Tag == "+" {
			break
		}
		if r.Tag != "*" {
			return &StatusError{Status: r.Name, Code: r.Code, Text: r.Text}
		}
	}
	c.bw.WriteString(s)
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// StartTLS upgrades the connection (RFC 3501 §6.2.1).
func (c *Client) StartTLS(cfg *tls.Config) error {
	if _, err := c.Execute("STARTTLS"); err != nil {
		return err
	}
	c.deadline()
	tc, err := tlsHandshake(context.Background(), c.conn, cfg)
	if err != nil {
		return c.fail(err)
	}
	c.setConn(tc)
	c.certSent = len(cfg.Certificates) > 0
	c.caps = nil // capabilities must be asked again after TLS
	return nil
}

// TLS returns the connection's TLS state, if TLS is active.
func (c *Client) TLS() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// SSF is the connection's security strength factor as Cyrus counts it:
// the key bits of the TLS cipher, 0 without TLS.
func (c *Client) SSF() int {
	st, ok := c.TLS()
	if !ok {
		return 0
	}
	return cipherBits(st.CipherSuite)
}

// cipherBits is the symmetric key size of a TLS cipher suite.
func cipherBits(suite uint16) int {
	name := tls.CipherSuiteName(suite)
	switch {
	case strings.Contains(name, "AES_128"):
		return 128
	case strings.Contains(name, "AES_256"), strings.Contains(name, "CHACHA20"):
		return 256
	case strings.Contains(name, "RC4_128"):
		return 128
	case strings.Contains(name, "3DES"):
		return 112
	}
	return 0 // unknown: claim no strength rather than too much
}

// Login sends LOGIN user password.
func (c *Client) Login(user, password string) error {
	_, err := c.Execute("LOGIN", Quoted(user), Quoted(password))
	c.caps = nil
	return err
}

// Authenticate runs a SASL exchange (RFC 3501 §6.2.2), with an initial
// response when the server offers SASL-IR (RFC 4959).
func (c *Client) Authenticate(mech string, sc sasl.Client) error {
	_, ir, err := sc.Start()
	if err != nil {
		return err
	}
	args := []any{"AUTHENTICATE", Atom(mech)}
	if ir != nil && c.Has("SASL-IR") {
		enc := base64.StdEncoding.EncodeToString(ir)
		if enc == "" {
			enc = "="
		}
		args = append(args, Atom(enc))
		ir = nil
	}
	_, err = c.execute(func(text string) (string, error) {
		if ir != nil {
			out := base64.StdEncoding.EncodeToString(ir)
			ir = nil
			return out, nil
		}
		challenge, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return "", err
		}
		resp, err := sc.Next(challenge)
		if err != nil {
			return "", err
		}
		return base64.StdEncoding.EncodeToString(resp), nil
	}, args...)
	c.caps = nil
	return err
}
