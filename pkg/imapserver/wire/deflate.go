package wire

import (
	"compress/flate"
	"io"
	"sync"
)

// deflateLevel trades ratio for CPU: mail text still shrinks well at
// BestSpeed, and its compressor is the cheapest to reset.
const deflateLevel = flate.BestSpeed

var deflatePool sync.Pool // of *flate.Writer at deflateLevel

// Deflater is the server-to-client half of COMPRESS=DEFLATE (RFC 4978): a
// raw DEFLATE stream ended by a sync flush after every response.
//
// A flate.Writer is hundreds of KiB, too much to keep on each of
// thousands of idle connections. Deflater takes one from a pool on the
// first byte of a response and gives it back at Flush. The next response
// starts a fresh compressor on the same stream: after a sync flush the
// stream sits at a byte boundary between non-final blocks, and a new
// compressor simply does not refer back to earlier output, which DEFLATE
// allows. Each response loses the earlier ones as dictionary, a small
// price for responses that are mostly sent whole in one write anyway.
type Deflater struct {
	dst io.Writer
	fw  *flate.Writer // nil between responses
}

// NewDeflater returns a Deflater writing to dst.
func NewDeflater(dst io.Writer) *Deflater { return &Deflater{dst: dst} }

// Write compresses p.
func (d *Deflater) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if d.fw == nil {
		if fw, ok := deflatePool.Get().(*flate.Writer); ok {
			fw.Reset(d.dst)
			d.fw = fw
		} else {
			fw, err := flate.NewWriter(d.dst, deflateLevel)
			if err != nil {
				return 0, err
			}
			d.fw = fw
		}
	}
	return d.fw.Write(p)
}

// Flush ends the response with a sync flush, so that the client can
// decode all of it, and releases the compressor. With nothing written it
// sends nothing.
func (d *Deflater) Flush() error {
	if d.fw == nil {
		return nil
	}
	err := d.fw.Flush()
	fw := d.fw
	d.fw = nil
	if err == nil {
		fw.Reset(io.Discard) // drop the reference to the connection
		deflatePool.Put(fw)
	}
	return err
}
