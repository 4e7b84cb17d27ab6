package fetch

import (
	"bufio"
	"errors"
	"io"
	"sync"
)

// lineBufSize bounds how much of a line is seen at once; longer lines come
// in pieces. Delimiter and blank lines are far shorter.
const lineBufSize = 8 << 10

var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, lineBufSize) }}

// lineReader reads lines of the byte range [start, end) of a message file,
// tracking file offsets. It is the whole MIME walker's view of the file.
type lineReader struct {
	br      *bufio.Reader
	pos     int64 // file offset of the next unread byte
	atStart bool  // the next piece starts a line
	last    [2]byte
}

func newLineReader(r io.ReaderAt, start, end int64) *lineReader {
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(io.NewSectionReader(r, start, max(end-start, 0)))
	return &lineReader{br: br, pos: start, atStart: true}
}

// release returns the buffer to the pool; l must not be used afterwards.
func (l *lineReader) release() {
	l.br.Reset(nil)
	readerPool.Put(l.br)
	l.br = nil
}

// next returns the next line including its LF (the last line may lack
// one). A line longer than the buffer comes in pieces; cont reports that the
// piece does not start a line. At the end of the range it returns io.EOF.
func (l *lineReader) next() (line []byte, cont bool, err error) {
	line, err = l.br.ReadSlice('\n')
	cont = !l.atStart
	l.atStart = !errors.Is(err, bufio.ErrBufferFull)
	if len(line) == 0 {
		if err == nil || errors.Is(err, bufio.ErrBufferFull) {
			err = io.ErrNoProgress
		}
		return nil, cont, err
	}
	l.pos += int64(len(line))
	if len(line) >= 2 {
		l.last = [2]byte{line[len(line)-2], line[len(line)-1]}
	} else {
		l.last = [2]byte{l.last[1], line[0]}
	}
	return line, cont, nil
}

// isBlank reports whether a line is empty apart from its line break.
func isBlank(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}
