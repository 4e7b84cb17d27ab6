package corpus

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxReply bounds one command's reply, so a server gone wrong cannot make
// the test or the capture hold unbounded memory.
const maxReply = 64 << 20

// Client speaks just enough IMAP to replay the corpus: a command goes out
// as given (literals in LITERAL+ form, "{n+}"), and the reply comes back
// as the raw bytes of every response up to and including the tagged one.
type Client struct {
	r   *bufio.Reader
	w   io.Writer
	tag int
}

// NewClient reads the greeting (or PREAUTH) from r and returns it.
func NewClient(r io.Reader, w io.Writer) (*Client, []byte, error) {
	c := &Client{r: bufio.NewReader(r), w: w}
	greeting, err := c.readResponse()
	return c, greeting, err
}

// Do sends "T<n> cmd\r\n" and returns the reply, its tagged line's tag
// rewritten to "T" so that replies compare across runs.
func (c *Client) Do(cmd string) ([]byte, error) {
	c.tag++
	tag := "T" + strconv.Itoa(c.tag)
	if _, err := io.WriteString(c.w, tag+" "+cmd+"\r\n"); err != nil {
		return nil, fmt.Errorf("sending %q: %w", firstLine(cmd), err)
	}
	var reply []byte
	for {
		resp, err := c.readResponse()
		if err != nil {
			return nil, fmt.Errorf("reply to %q: %w", firstLine(cmd), err)
		}
		if rest, ok := bytes.CutPrefix(resp, []byte(tag+" ")); ok {
			return append(append(reply, "T "...), rest...), nil
		}
		if len(reply)+len(resp) > maxReply {
			return nil, fmt.Errorf("reply to %q: over %d bytes", firstLine(cmd), maxReply)
		}
		reply = append(reply, resp...)
	}
}

// readResponse reads one response: a line and the literals it announces.
func (c *Client) readResponse() ([]byte, error) {
	var resp []byte
	for {
		line, err := c.r.ReadSlice('\n')
		resp = append(resp, line...)
		if err == bufio.ErrBufferFull {
			if len(resp) > maxReply {
				return nil, fmt.Errorf("response line over %d bytes", maxReply)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		n, ok := literalAtEnd(resp)
		if !ok {
			return resp, nil
		}
		if n > maxReply || len(resp)+n > maxReply {
			return nil, fmt.Errorf("literal of %d bytes", n)
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(c.r, lit); err != nil {
			return nil, err
		}
		resp = append(resp, lit...)
	}
}

// literalAtEnd reports the size of the literal that b's last line
// announces ("{n}\r\n").
func literalAtEnd(b []byte) (int, bool) {
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	if !bytes.HasSuffix(b, []byte("}")) {
		return 0, false
	}
	open := bytes.LastIndexByte(b, '{')
	if open < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[open+1 : len(b)-1]))
	return n, err == nil && n >= 0
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	if len(line) > 80 {
		line = line[:80] + "..."
	}
	return line
}
