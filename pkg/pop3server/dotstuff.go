package pop3server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// allLines asks copyStuffed for the whole message.
const allLines = -1

// copyStuffed writes a message from r to w as a POP3 multi-line body
// (RFC 1939 §3): a line starting with "." gets another "." in front, the
// body ends with CRLF even when the message does not, and the terminating
// ".\r\n" follows. With bodyLines >= 0 (TOP) only the header, the blank
// line and that many body lines are sent. br is a scratch reader, reset
// here, so that sessions reuse one buffer.
func copyStuffed(w *bufio.Writer, r io.Reader, br *bufio.Reader, bodyLines int) error {
	br.Reset(r)
	atStart := true // at the start of a line
	inHeader := true
	left := bodyLines
	for {
		if !inHeader && bodyLines >= 0 && left <= 0 && atStart {
			break
		}
		seg, err := br.ReadSlice('\n')
		if len(seg) > 0 {
			if atStart {
				if seg[0] == '.' {
					w.WriteByte('.')
				}
				if inHeader && (bytes.Equal(seg, []byte("\r\n")) || bytes.Equal(seg, []byte("\n"))) {
					inHeader = false
					w.Write(seg)
					continue
				}
			}
			w.Write(seg)
			atStart = seg[len(seg)-1] == '\n'
			if atStart && !inHeader {
				left--
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if !atStart {
		w.WriteString("\r\n")
	}
	_, err := w.WriteString(".\r\n")
	return err
}
