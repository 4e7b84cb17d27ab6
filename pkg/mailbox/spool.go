package mailbox

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// maxMessageSize is what a uint32 RFC822.SIZE can describe.
const maxMessageSize = 1<<32 - 1

// Prepared is a message spooled once and parsed once, ready to be appended
// to any number of mailboxes (lmtpd's single-instance store): on the same
// filesystem each mailbox gets a hard link to the one file.
type Prepared struct {
	path       string
	file       *os.File // an unnamed file (SpoolUnnamed) instead of path
	dev        uint64
	size       uint32
	guid       GUID
	headerSize uint32
	sentDate   time.Time
	payload    []byte // encoded Cached
}

// Size is the message size in bytes, line ends normalised to CRLF.
func (p *Prepared) Size() int64 { return int64(p.size) }

// GUID is the SHA-1 of the spooled bytes.
func (p *Prepared) GUID() GUID { return p.guid }

// Path is the spooled file; "" for an unnamed one (SpoolUnnamed).
func (p *Prepared) Path() string { return p.path }

// Remove deletes the spooled file (closes an unnamed one, which then
// vanishes); mailboxes it was linked into keep their own links. Call it
// when every append is done.
func (p *Prepared) Remove() error {
	if p.file != nil {
		return p.file.Close()
	}
	err := os.Remove(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// SpoolLimits bound what a spool accepts. The zero value accepts any
// message RFC822.SIZE can describe, except one holding NUL bytes.
type SpoolLimits struct {
	// MaxSize is the largest message accepted, counted after bare LF
	// line ends became CRLF (what is stored); 0 = no limit of its own.
	MaxSize int64
	// AllowNUL accepts NUL bytes (a literal8 APPEND, RFC 3516).
	AllowNUL bool
}

// Spool reads a message from r, normalises bare LF line ends to CRLF,
// writes it to a new file in stageDir, fsyncs it and parses it for the cache.
// A message lim refuses gives ErrEmpty, ErrNUL or ErrTooLarge.
func Spool(ctx context.Context, stageDir string, r io.Reader, lim SpoolLimits) (*Prepared, error) {
	raw, err := readMessage(ctx, r, lim)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(stageDir, tempPrefix)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(raw); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	p := newPrepared(f.Name(), raw)
	p.dev = devOf(fi)
	ok = true
	return p, nil
}

// SpoolUnnamed is Spool writing to an unnamed O_TMPFILE inode of stageDir's
// filesystem (from the pool unnamed.go keeps ahead of need), which each
// AppendPrepared links under its final name: no stage name is created or
// removed, and a crash leaves nothing behind. Where the filesystem has no
// unnamed files it is Spool. The caller must Remove the result, which
// holds a descriptor until then.
func SpoolUnnamed(ctx context.Context, stageDir string, r io.Reader, lim SpoolLimits) (*Prepared, error) {
	f, err := unnamed.take(stageDir)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return Spool(ctx, stageDir, r, lim)
	}
	raw, err := readMessage(ctx, r, lim)
	if err == nil {
		if _, err = f.Write(raw); err == nil {
			err = f.Sync()
		}
	}
	var fi os.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	p := newPrepared("", raw)
	p.file, p.dev = f, devOf(fi)
	return p, nil
}

// readMessage reads a whole message, line ends normalised to CRLF.
func readMessage(ctx context.Context, r io.Reader, lim SpoolLimits) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	raw = toCRLF(raw)
	switch {
	case len(raw) == 0:
		return nil, ErrEmpty
	case len(raw) > maxMessageSize || lim.MaxSize > 0 && int64(len(raw)) > lim.MaxSize:
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(raw))
	case !lim.AllowNUL && bytes.IndexByte(raw, 0) >= 0:
		return nil, ErrNUL
	}
	return raw, nil
}

// spoolItem spools a message for Append into dir: to an unnamed file
// (unnamed.go) linked into place at commit, or, where the filesystem has
// none or when named is set, to a named temp file renamed at commit. The
// file is fsync'd either way. The caller disposes of the item with discard.
func spoolItem(ctx context.Context, dir string, r io.Reader, named bool, lim SpoolLimits) (*pendingItem, error) {
	var f *os.File
	if !named {
		var err error
		if f, err = unnamed.take(dir); err != nil {
			return nil, err
		}
	}
	if f == nil {
		p, err := Spool(ctx, dir, r, lim)
		if err != nil {
			return nil, err
		}
		return p.item(0, nil, time.Time{}), nil
	}
	raw, err := readMessage(ctx, r, lim)
	if err == nil {
		if _, err = f.Write(raw); err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	it := newPrepared("", raw).item(0, nil, time.Time{})
	it.unnamed = f
	return it, nil
}

func newPrepared(path string, raw []byte) *Prepared {
	parsed := parseMessage(raw)
	return &Prepared{
		path:       path,
		size:       uint32(len(raw)),
		guid:       sha1.Sum(raw),
		headerSize: parsed.headerSize,
		sentDate:   parsed.sentDate,
		payload:    encodeCached(&parsed.cached),
	}
}

func devOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev)
	}
	return 0
}

// toCRLF turns bare LF into CRLF; messages already in CRLF are returned as is.
func toCRLF(b []byte) []byte {
	bare := 0
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			bare++
		}
	}
	if bare == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+bare)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		if i == 0 || b[i-1] != '\r' {
			out = append(out, '\r')
		}
		out = append(out, '\n')
		b = b[i+1:]
	}
	return out
}

// copyToTemp copies src into a new fsync'd temporary file in dir: the
// fallback when a hard link cannot cross filesystems.
func copyToTemp(dir, src string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, tempPrefix)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}
