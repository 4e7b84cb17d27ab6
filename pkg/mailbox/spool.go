package mailbox

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
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

// Spool streams a message from r into a new file in stageDir, bare LF
// line ends made CRLF on the way, fsyncs it and parses it for the cache
// from the file: memory use does not grow with the message.
// A message lim refuses gives ErrEmpty, ErrNUL or ErrTooLarge, as soon as
// it is seen: the rest of r is left unread, and a caller that must keep
// its stream in step (an IMAP literal) drains it.
func Spool(ctx context.Context, stageDir string, r io.Reader, lim SpoolLimits) (*Prepared, error) {
	f, err := createTemp(stageDir, "")
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done { // an error or a panic: leave no temp file
			f.Close()
			os.Remove(f.Name())
		}
	}()
	p, err := spoolInto(ctx, f, r, lim, true)
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return nil, err
	}
	done = true
	p.path = f.Name()
	return p, nil
}

// SpoolUnnamed is Spool writing to an unnamed O_TMPFILE inode of stageDir's
// filesystem (from the pool unnamed.go keeps ahead of need), which each
// AppendPrepared links under its final name: no stage name is created or
// removed, and a crash leaves nothing behind. The file is not fsync'd
// here: each AppendPrepared fsyncs it under its lock while it charges
// quota, before linking it (a no-op wait once the first has). Where the
// filesystem has no unnamed files it is Spool. The caller must Remove the
// result, which holds a descriptor until then.
func SpoolUnnamed(ctx context.Context, stageDir string, r io.Reader, lim SpoolLimits) (*Prepared, error) {
	f, err := unnamed.take(stageDir)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return Spool(ctx, stageDir, r, lim)
	}
	p, err := spoolInto(ctx, f, r, lim, false)
	if err != nil {
		f.Close()
		return nil, err
	}
	p.file = f
	return p, nil
}

// spoolInto streams r into the empty file f (open for reading and
// writing), fsyncs it when sync is set (else the commit does: Append's
// own files, commitBatch) and parses it; the result's name is the
// caller's to fill in.
func spoolInto(ctx context.Context, f *os.File, r io.Reader, lim SpoolLimits, sync bool) (*Prepared, error) {
	size, guid, err := copyMessage(ctx, f, r, lim)
	if err != nil {
		return nil, err
	}
	if sync {
		if err := f.Sync(); err != nil {
			return nil, err
		}
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	parsed, err := parseMessageAt(f, size)
	if err != nil {
		return nil, err
	}
	return &Prepared{
		dev:        devOf(fi),
		size:       uint32(size),
		guid:       guid,
		headerSize: parsed.headerSize,
		sentDate:   parsed.sentDate,
		payload:    encodeCached(&parsed.cached),
	}, nil
}

// spoolChunk is how much of a message is read at a time: with its CRLF
// conversion, the only copy of the message a spool holds.
const spoolChunk = 64 << 10

type spoolBuffers struct{ in, out []byte }

var spoolPool = sync.Pool{New: func() any {
	return &spoolBuffers{in: make([]byte, spoolChunk), out: make([]byte, 0, 2*spoolChunk)}
}}

// copyMessage copies r to w in chunks, bare LF made CRLF (a CR ending one
// chunk pairs with an LF starting the next), hashing what is written and
// applying lim to it: the stored size is what MaxSize bounds.
func copyMessage(ctx context.Context, w io.Writer, r io.Reader, lim SpoolLimits) (int64, GUID, error) {
	max := int64(maxMessageSize)
	if lim.MaxSize > 0 {
		max = min(max, lim.MaxSize)
	}
	bufs := spoolPool.Get().(*spoolBuffers)
	defer spoolPool.Put(bufs)
	h := sha1.New()
	var size int64
	var last byte // the last byte read, 0 before the first
	for {
		if err := ctx.Err(); err != nil {
			return 0, GUID{}, err
		}
		n, rerr := r.Read(bufs.in)
		in := bufs.in[:n]
		if !lim.AllowNUL && bytes.IndexByte(in, 0) >= 0 {
			return 0, GUID{}, ErrNUL
		}
		out := bufs.out[:0]
		for len(in) > 0 {
			i := bytes.IndexByte(in, '\n')
			if i < 0 {
				out = append(out, in...)
				last = in[len(in)-1]
				break
			}
			prev := last
			if i > 0 {
				prev = in[i-1]
			}
			out = append(out, in[:i]...)
			if prev != '\r' {
				out = append(out, '\r')
			}
			out = append(out, '\n')
			last = '\n'
			in = in[i+1:]
		}
		bufs.out = out[:0]
		if size += int64(len(out)); size > max {
			return 0, GUID{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, max)
		}
		if len(out) > 0 {
			h.Write(out)
			if _, err := w.Write(out); err != nil {
				return 0, GUID{}, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, GUID{}, fmt.Errorf("read message: %w", rerr)
		}
	}
	if size == 0 {
		return 0, GUID{}, ErrEmpty
	}
	var guid GUID
	h.Sum(guid[:0])
	return size, guid, nil
}

// spoolItem spools a message for Append into dir: to an unnamed file
// (unnamed.go) linked into place at commit, or, where the filesystem has
// none or when named is set, to a named temp file renamed at commit. A
// named file is fsync'd here; an unnamed one by the commit, under the lock
// and alongside the quota charge (commitBatch): the two waits overlap
// instead of adding up. The caller disposes of the item with discard.
func spoolItem(ctx context.Context, dir string, r io.Reader, named bool, lim SpoolLimits) (*pendingItem, error) {
	var p *Prepared
	var err error
	if named {
		p, err = Spool(ctx, dir, r, lim)
	} else {
		p, err = SpoolUnnamed(ctx, dir, r, lim)
	}
	if err != nil {
		return nil, err
	}
	return p.item(0, nil, time.Time{}), nil
}

func devOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev)
	}
	return 0
}

// describeFile derives what the index and cache keep of a message file
// already in place (reconstruct, unexpunge), as stored: bytes are not
// converted. It reads the file in bounded chunks.
func describeFile(path string) (*Prepared, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h := sha1.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	parsed, err := parseMessageAt(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p := &Prepared{
		dev:        devOf(fi),
		size:       uint32(size),
		headerSize: parsed.headerSize,
		sentDate:   parsed.sentDate,
		payload:    encodeCached(&parsed.cached),
	}
	h.Sum(p.guid[:0])
	return p, nil
}

// copyToTemp copies src into a new fsync'd temporary file in dir: the
// fallback when a hard link cannot cross filesystems.
func copyToTemp(dir, src string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := createTemp(dir, "")
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
