package main

import "io"

// crlfReader gives r's bytes with every bare LF made CRLF (Cyrus keeps
// messages with CRLF line ends; mbox and Maildir files have LF); n
// counts the bytes given.
type crlfReader struct {
	r      io.Reader
	buf    [32 << 10]byte
	out    []byte
	prevCR bool
	n      int64
}

func (c *crlfReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		n, err := c.r.Read(c.buf[:len(c.buf)/3])
		src := c.buf[:n]
		dst := c.buf[len(c.buf)/3 : len(c.buf)/3] // room for every byte doubled
		for _, b := range src {
			if b == '\n' && !c.prevCR {
				dst = append(dst, '\r')
			}
			dst = append(dst, b)
			c.prevCR = b == '\r'
		}
		c.out = dst
		if n == 0 && err != nil {
			return 0, err
		}
	}
	k := copy(p, c.out)
	c.out = c.out[k:]
	c.n += int64(k)
	return k, nil
}
