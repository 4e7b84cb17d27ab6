package sieveclient

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// MaxLine bounds one response line (literal data excluded).
const MaxLine = 64 << 10

// maxResponseLines bounds the data lines before a response's OK/NO/BYE
// (a script list, the capabilities).
const maxResponseLines = 100000

// DefaultPort is ManageSieve's port (RFC 5804 §1.8, "sieve" in /etc/services).
const DefaultPort = "4190"

// ErrBroken: an earlier I/O or protocol error left the session unusable.
var ErrBroken = errors.New("connection to the server lost")

// ServerError is the server's NO or BYE.
type ServerError struct {
	Status string // "NO" or "BYE"
	Code   string // the response code, without parentheses ("" if none)
	Text   string // the human-readable text, as sent
}

func (e *ServerError) Error() string { return e.Text }

// Options tune a session; zero values take the defaults.
type Options struct {
	Timeout    time.Duration // each exchange; default 60s
	MaxLiteral int64         // largest literal accepted; default 16 MiB
}

// Script is one LISTSCRIPTS entry.
type Script struct {
	Name   string
	Active bool
}

// Client is one ManageSieve session. Not safe for concurrent use.
type Client struct {
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	o      Options
	caps   map[string]string
	broken error
}

// Dial connects to addr (host:port) and reads the greeting's capabilities.
func Dial(ctx context.Context, addr string, o Options) (*Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxLiteral <= 0 {
		o.MaxLiteral = 16 << 20
	}
	d := net.Dialer{Timeout: o.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	c := NewClient(conn, o)
	if err := c.readCapabilities(); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// NewClient runs a session over conn, whose greeting is still to be read
// (by Dial; tests call it to speak to a fake server).
func NewClient(conn net.Conn, o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxLiteral <= 0 {
		o.MaxLiteral = 16 << 20
	}
	return &Client{conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn), o: o}
}

// Greet reads the greeting of a Client made with NewClient.
func (c *Client) Greet() error { return c.readCapabilities() }

// Close drops the connection (Logout first for a polite end).
func (c *Client) Close() error { return c.conn.Close() }

// Capability returns a capability's value (upper-case name) and whether
// the server announced it.
func (c *Client) Capability(name string) (string, bool) {
	v, ok := c.caps[strings.ToUpper(name)]
	return v, ok
}

// SASLMechanisms lists the mechanisms the server offers, upper case.
func (c *Client) SASLMechanisms() []string {
	return strings.Fields(strings.ToUpper(c.caps["SASL"]))
}

func (c *Client) readCapabilities() error {
	lines, err := c.response()
	if err != nil {
		return fmt.Errorf("capabilities: %w", err)
	}
	c.caps = map[string]string{}
	for _, l := range lines {
		p := &parser{s: l.text, lits: l.lits}
		name, err := p.str()
		if err != nil {
			return c.fail(fmt.Errorf("capabilities: %w", err))
		}
		val := ""
		if p.space() {
			if val, err = p.str(); err != nil {
				return c.fail(fmt.Errorf("capabilities: %w", err))
			}
		}
		c.caps[strings.ToUpper(name)] = val
	}
	return nil
}

// AuthenticatePlain authenticates with SASL PLAIN (RFC 4616): authn with
// password, acting as authz ("" or authn: no proxying).
func (c *Client) AuthenticatePlain(authz, authn, password string) error {
	if authz == authn {
		authz = ""
	}
	ir := base64.StdEncoding.EncodeToString([]byte(authz + "\x00" + authn + "\x00" + password))
	if _, err := c.command(`AUTHENTICATE "PLAIN" ` + quote(ir)); err != nil {
		return fmt.Errorf("authentication: %w", err)
	}
	return nil
}

// ListScripts returns the scripts in the server's order.
func (c *Client) ListScripts() ([]Script, error) {
	lines, err := c.command("LISTSCRIPTS")
	if err != nil {
		return nil, err
	}
	var out []Script
	for _, l := range lines {
		p := &parser{s: l.text, lits: l.lits}
		name, err := p.str()
		if err != nil {
			return nil, c.fail(fmt.Errorf("LISTSCRIPTS: %w", err))
		}
		s := Script{Name: name}
		if p.space() {
			s.Active = strings.EqualFold(p.rest(), "ACTIVE")
		}
		out = append(out, s)
	}
	return out, nil
}

// PutScript stores a script (the server checks it first).
func (c *Client) PutScript(name string, body []byte) error {
	if _, err := c.command("PUTSCRIPT "+quote(name)+" ", body); err != nil {
		return fmt.Errorf("put script: %w", err)
	}
	return nil
}

// GetScript returns a script's text.
func (c *Client) GetScript(name string) ([]byte, error) {
	lines, err := c.command("GETSCRIPT " + quote(name))
	if err != nil {
		return nil, err
	}
	if len(lines) != 1 || len(lines[0].lits) != 1 || lines[0].text != "\x00" {
		return nil, c.fail(errors.New("GETSCRIPT: the answer is not one literal"))
	}
	return []byte(lines[0].lits[0]), nil
}

// DeleteScript removes a script.
func (c *Client) DeleteScript(name string) error {
	if _, err := c.command("DELETESCRIPT " + quote(name)); err != nil {
		return fmt.Errorf("Deleting script: %w", err)
	}
	return nil
}

// SetActive makes name the active script; "" deactivates all.
func (c *Client) SetActive(name string) error {
	if _, err := c.command("SETACTIVE " + quote(name)); err != nil {
		return fmt.Errorf("Setting script active: %w", err)
	}
	return nil
}

// Logout ends the session and closes the connection.
func (c *Client) Logout() error {
	_, err := c.command("LOGOUT")
	c.conn.Close()
	var se *ServerError
	if errors.As(err, &se) && se.Status == "BYE" {
		return nil
	}
	return err
}

// line is one response line: its text, with each literal replaced by a
// NUL byte and kept in lits.
type line struct {
	text string
	lits []string
}

func (c *Client) fail(err error) error {
	if c.broken == nil {
		c.broken = err
		c.conn.Close()
	}
	return err
}

// command sends a command line (with one literal appended when a body
// is given) and reads the response.
func (c *Client) command(cmd string, literal ...[]byte) ([]line, error) {
	if c.broken != nil {
		return nil, ErrBroken
	}
	c.conn.SetDeadline(time.Now().Add(c.o.Timeout))
	c.w.WriteString(cmd)
	for _, b := range literal {
		fmt.Fprintf(c.w, "{%d+}\r\n", len(b))
		c.w.Write(b)
	}
	c.w.WriteString("\r\n")
	if err := c.w.Flush(); err != nil {
		return nil, c.fail(fmt.Errorf("send: %w", err))
	}
	return c.response()
}

// response reads data lines up to the OK, NO or BYE ending them.
func (c *Client) response() ([]line, error) {
	if c.broken != nil {
		return nil, ErrBroken
	}
	c.conn.SetDeadline(time.Now().Add(c.o.Timeout))
	var lines []line
	for {
		l, err := c.readLine()
		if err != nil {
			return nil, c.fail(err)
		}
		if status, ok := statusWord(l.text); ok {
			se, err := parseStatus(status, l)
			if err != nil {
				return nil, c.fail(err)
			}
			if se == nil {
				return lines, nil
			}
			if se.Status == "BYE" {
				c.fail(se)
			}
			return lines, se
		}
		if len(lines) >= maxResponseLines {
			return nil, c.fail(errors.New("the server's response is too long"))
		}
		lines = append(lines, l)
	}
}

// statusWord recognises a response's ending line.
func statusWord(text string) (string, bool) {
	word := text
	if i := strings.IndexAny(text, " ("); i >= 0 {
		word = text[:i]
	}
	switch w := strings.ToUpper(word); w {
	case "OK", "NO", "BYE":
		return w, true
	}
	return "", false
}

// parseStatus reads "STATUS [SP (code)] [SP string]"; nil for OK.
func parseStatus(status string, l line) (*ServerError, error) {
	p := &parser{s: l.text[len(status):], lits: l.lits}
	se := &ServerError{Status: status}
	p.space()
	if p.peek() == '(' {
		end := strings.IndexByte(p.s[p.i:], ')')
		if end < 0 {
			return nil, errors.New("a response code without ')'")
		}
		se.Code = p.s[p.i+1 : p.i+end]
		p.i += end + 1
		p.space()
	}
	if p.i < len(p.s) {
		text, err := p.str()
		if err != nil {
			return nil, fmt.Errorf("response text: %w", err)
		}
		se.Text = text
	}
	if status == "OK" {
		return nil, nil
	}
	return se, nil
}

// readLine reads one line, pulling in each literal it announces.
func (c *Client) readLine() (line, error) {
	var l line
	var b strings.Builder
	for {
		part, err := c.readRaw(MaxLine - b.Len())
		if err != nil {
			return l, err
		}
		size, ok := literalSize(part)
		if !ok {
			b.WriteString(part)
			l.text = b.String()
			return l, nil
		}
		if size > c.o.MaxLiteral {
			return l, fmt.Errorf("the server sent a literal of %d bytes (limit %d)", size, c.o.MaxLiteral)
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(c.r, data); err != nil {
			return l, fmt.Errorf("read: %w", err)
		}
		b.WriteString(part[:strings.LastIndexByte(part, '{')])
		b.WriteByte(0)
		l.lits = append(l.lits, string(data))
	}
}

// readRaw reads up to CRLF (or LF), at most limit bytes.
func (c *Client) readRaw(limit int) (string, error) {
	var b []byte
	for {
		chunk, err := c.r.ReadSlice('\n')
		if len(b)+len(chunk) > limit {
			return "", errors.New("the server sent a line that is too long")
		}
		b = append(b, chunk...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", fmt.Errorf("read: %w", err)
		}
	}
	s := strings.TrimSuffix(string(b), "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// literalSize recognises a line ending in "{n}" or "{n+}".
func literalSize(s string) (int64, bool) {
	if !strings.HasSuffix(s, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(s, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(s[i+1:len(s)-1], "+"), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// quote makes a ManageSieve quoted string; a value a quoted string
// cannot carry (CR, LF, NUL) goes as a literal.
func quote(s string) string {
	if strings.ContainsAny(s, "\r\n\x00") {
		return fmt.Sprintf("{%d+}\r\n%s", len(s), s)
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// parser reads strings from a response line (literals are NUL bytes in
// s, their data in lits, in order).
type parser struct {
	s    string
	i    int
	lits []string
	lit  int
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *parser) space() bool {
	if p.peek() == ' ' {
		p.i++
		return true
	}
	return false
}

func (p *parser) rest() string { r := p.s[p.i:]; p.i = len(p.s); return r }

// str reads a quoted string, a literal or an atom.
func (p *parser) str() (string, error) {
	switch p.peek() {
	case '"':
		var b strings.Builder
		for p.i++; p.i < len(p.s); p.i++ {
			ch := p.s[p.i]
			if ch == '\\' && p.i+1 < len(p.s) {
				p.i++
				ch = p.s[p.i]
			} else if ch == '"' {
				p.i++
				return b.String(), nil
			}
			b.WriteByte(ch)
		}
		return "", errors.New("an unterminated quoted string")
	case 0:
		if p.i < len(p.s) && p.lit < len(p.lits) {
			p.i++
			p.lit++
			return p.lits[p.lit-1], nil
		}
		return "", errors.New("a string expected")
	default:
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != ' ' {
			p.i++
		}
		return p.s[start:p.i], nil
	}
}
