package cyrusdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"gocyrus/pkg/panics"
)

// errBroken: the connection failed while a request was outstanding.
// errNotSent: it had already failed, so the request never left.
var (
	errBroken  = errors.New("cyrusdb: connection to the db service lost")
	errNotSent = errors.New("cyrusdb: connection to the db service was already lost")
)

// clientConn is one multiplexed connection: callers register a request id
// and wait on its channel; one reader goroutine routes replies by id.
type clientConn struct {
	nc net.Conn

	wmu sync.Mutex
	bw  *bufio.Writer

	mu     sync.Mutex
	nextID uint64
	calls  map[uint64]*call
	broken chan struct{}
	err    error

	onBreak func(*clientConn)
}

type call struct {
	ch  chan frame // replies; never blocks the reader (see streamWindow)
	sub *clientSub // set for a subscription: events wake it
}

// dial connects and exchanges hellos within timeout.
func dial(path string, timeout time.Duration, onBreak func(*clientConn)) (*clientConn, error) {
	nc, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(timeout))
	hdr := frameHeaderBytes(kindHello, 0, len(protocolHello))
	br := bufio.NewReaderSize(nc, 64<<10)
	_, err = nc.Write(append(hdr[:], protocolHello...))
	var f frame
	if err == nil {
		f, err = readFrame(br)
	}
	if err == nil && (f.kind != kindOK || string(f.payload) != protocolHello) {
		err = fmt.Errorf("%w: unexpected hello reply from %s", errFrame, path)
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	cn := &clientConn{nc: nc, bw: bufio.NewWriterSize(nc, 64<<10), nextID: 1,
		calls: map[uint64]*call{}, broken: make(chan struct{}), onBreak: onBreak}
	go cn.read(br)
	return cn, nil
}

// probe reports whether a db service answers on path.
func probe(path string, timeout time.Duration) error {
	cn, err := dial(path, timeout, nil)
	if err != nil {
		return err
	}
	cn.close()
	return nil
}

func (cn *clientConn) close() { cn.nc.Close() }

func (cn *clientConn) isBroken() bool {
	select {
	case <-cn.broken:
		return true
	default:
		return false
	}
}

func (cn *clientConn) read(br *bufio.Reader) {
	err := cn.readFrames(br)
	cn.mu.Lock()
	cn.err = err
	close(cn.broken)
	cn.calls = map[uint64]*call{}
	cn.mu.Unlock()
	cn.nc.Close()
	if cn.onBreak != nil {
		cn.onBreak(cn)
	}
}

// readFrames routes the server's frames until the connection fails. A
// panic while routing (a bug) breaks this connection only, with the
// *panics.Error (value and stack) as the error its calls get: unrecovered
// in this background goroutine it would end the whole process.
func (cn *clientConn) readFrames(br *bufio.Reader) (err error) {
	defer panics.Guard(func(e *panics.Error) { err = fmt.Errorf("cyrusdb: client bug: %w", e) })
	for err == nil {
		var f frame
		if f, err = readFrame(br); err == nil {
			err = cn.route(f)
		}
	}
	return err
}

func (cn *clientConn) route(f frame) error {
	cn.mu.Lock()
	c := cn.calls[f.id]
	final := f.kind == kindErr || f.kind == kindEnd || (f.kind == kindOK && c != nil && c.sub == nil)
	if c != nil && final {
		delete(cn.calls, f.id)
	}
	cn.mu.Unlock()
	if c == nil {
		return nil // a late reply to a cancelled request
	}
	switch f.kind {
	case kindEvent:
		if c.sub == nil {
			return fmt.Errorf("%w: event for request %d, not a subscription", errFrame, f.id)
		}
		c.sub.wake()
		return nil
	case kindOK, kindErr, kindChunk, kindEnd:
		select {
		case c.ch <- f:
			return nil
		default:
			return fmt.Errorf("%w: server overran stream window", errFrame)
		}
	}
	return fmt.Errorf("%w: unexpected kind %d from server", errFrame, f.kind)
}

// start registers a call and sends its request frame.
func (cn *clientConn) start(kind byte, payload []byte, sub *clientSub) (uint64, *call, error) {
	if len(payload) > maxPayload {
		return 0, nil, fmt.Errorf("%w: request of %d bytes exceeds the %d-byte frame limit", ErrTxnTooLarge, len(payload), MaxFrameSize)
	}
	c := &call{ch: make(chan frame, streamWindow+1), sub: sub}
	cn.mu.Lock()
	if cn.isBroken() {
		cn.mu.Unlock()
		return 0, nil, errNotSent
	}
	id := cn.nextID
	cn.nextID++
	cn.calls[id] = c
	cn.mu.Unlock()
	if err := cn.send(kind, id, payload); err != nil {
		cn.forget(id)
		return 0, nil, errBroken
	}
	return id, c, nil
}

func (cn *clientConn) send(kind byte, id uint64, payload []byte) error {
	hdr := frameHeaderBytes(kind, id, len(payload))
	cn.wmu.Lock()
	defer cn.wmu.Unlock()
	cn.bw.Write(hdr[:])
	cn.bw.Write(payload)
	if err := cn.bw.Flush(); err != nil {
		cn.nc.Close()
		return err
	}
	return nil
}

func (cn *clientConn) forget(id uint64) {
	cn.mu.Lock()
	delete(cn.calls, id)
	cn.mu.Unlock()
}

// cancel abandons a request: the server stops it, late replies are dropped.
func (cn *clientConn) cancel(id uint64) {
	cn.forget(id)
	cn.send(kindCancel, id, nil)
}

// next waits for the next reply frame of a call.
func (cn *clientConn) next(ctx context.Context, id uint64, c *call) (frame, error) {
	select {
	case f := <-c.ch:
		return f, nil
	default:
	}
	select {
	case f := <-c.ch:
		return f, nil
	case <-cn.broken:
		// A reply may have been routed just before the break.
		select {
		case f := <-c.ch:
			return f, nil
		default:
			return frame{}, errBroken
		}
	case <-ctx.Done():
		cn.cancel(id)
		return frame{}, ctx.Err()
	}
}

// roundTrip sends a request and waits for its single reply.
func (cn *clientConn) roundTrip(ctx context.Context, kind byte, payload []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id, c, err := cn.start(kind, payload, nil)
	if err != nil {
		return nil, err
	}
	f, err := cn.next(ctx, id, c)
	if err != nil {
		return nil, err
	}
	switch f.kind {
	case kindOK:
		return f.payload, nil
	case kindErr:
		return nil, decodeError(f.payload)
	}
	return nil, fmt.Errorf("%w: unexpected reply kind %d", errFrame, f.kind)
}
