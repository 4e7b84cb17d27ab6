package cyrusdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

const (
	// streamWindow is how many chunks of one stream may be unacknowledged.
	streamWindow = 4
	// chunkSize is the payload size at which a stream chunk is sent.
	chunkSize = 64 << 10
	// writeTimeout drops a client that stops reading its socket.
	writeTimeout = 30 * time.Second
)

// serverConn serves one client connection: a reader loop dispatching each
// request to its own goroutine, and a mutex-serialised writer.
type serverConn struct {
	s  *Server
	nc net.Conn

	wmu sync.Mutex
	bw  *bufio.Writer

	mu   sync.Mutex
	reqs map[uint64]*serverReq
	sem  chan struct{}
}

// serverReq is an in-flight request or a live subscription.
type serverReq struct {
	cancel context.CancelFunc
	credit chan struct{} // streams: one slot per unacknowledged chunk
}

func newServerConn(s *Server, nc net.Conn) *serverConn {
	return &serverConn{s: s, nc: nc, bw: bufio.NewWriterSize(nc, 64<<10),
		reqs: map[uint64]*serverReq{}, sem: make(chan struct{}, maxConnRequests)}
}

func (c *serverConn) serve() {
	defer c.shutdown()
	// Runs before shutdown: a bug reading or dispatching this client's
	// frames drops this client only.
	defer func() {
		if v := recover(); v != nil {
			c.s.logPanic("connection", v)
		}
	}()
	br := bufio.NewReaderSize(c.nc, 64<<10)
	if err := c.handshake(br); err != nil {
		c.s.log.Debug("cyrusdb: handshake failed", "err", err)
		return
	}
	for {
		f, err := readFrame(br)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				c.s.log.Warn("cyrusdb: dropping client", "err", err)
			}
			return
		}
		if err := c.dispatch(f); err != nil {
			c.s.log.Warn("cyrusdb: dropping client", "err", err)
			return
		}
	}
}

func (c *serverConn) handshake(br *bufio.Reader) error {
	c.nc.SetReadDeadline(time.Now().Add(writeTimeout))
	f, err := readFrame(br)
	if err != nil {
		return err
	}
	c.nc.SetReadDeadline(time.Time{})
	if f.kind != kindHello || string(f.payload) != protocolHello {
		c.write(kindErr, f.id, encodeError(fmt.Errorf("%w: expected hello %q", ErrInvalid, protocolHello)))
		return fmt.Errorf("%w: bad hello", errFrame)
	}
	return c.write(kindOK, f.id, []byte(protocolHello))
}

// shutdown ends every request and subscription of the connection.
func (c *serverConn) shutdown() {
	c.nc.Close()
	c.mu.Lock()
	for _, r := range c.reqs {
		r.cancel()
	}
	c.mu.Unlock()
}

func (c *serverConn) dispatch(f frame) error {
	c.s.fault(faultDispatch, f)
	switch f.kind {
	case kindAck:
		if r := c.lookup(f.id); r != nil && r.credit != nil {
			select {
			case <-r.credit:
			default:
				return fmt.Errorf("%w: ack without outstanding chunk", errFrame)
			}
		}
		return nil
	case kindCancel, kindUnsubscribe:
		if r := c.lookup(f.id); r != nil {
			r.cancel()
		}
		return nil
	case kindGet, kindScan, kindTxn, kindPublish, kindSubscribe, kindBackup, kindCheckpoint:
		return c.start(f)
	}
	return fmt.Errorf("%w: unexpected kind %d from client", errFrame, f.kind)
}

func (c *serverConn) lookup(id uint64) *serverReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reqs[id]
}

func (c *serverConn) start(f frame) error {
	subscription := f.kind == kindSubscribe
	if !subscription && !c.s.startRequest() {
		return c.write(kindErr, f.id, encodeError(fmt.Errorf("%w: db service shutting down", ErrClosed)))
	}
	ctx, cancel := context.WithCancel(c.s.ctx)
	r := &serverReq{cancel: cancel}
	if f.kind == kindScan || f.kind == kindBackup {
		r.credit = make(chan struct{}, streamWindow)
	}
	c.mu.Lock()
	_, dup := c.reqs[f.id]
	if !dup {
		c.reqs[f.id] = r
	}
	c.mu.Unlock()
	if dup {
		cancel()
		if !subscription {
			c.s.inflight.Done()
		}
		return fmt.Errorf("%w: request id %d already in flight", errFrame, f.id)
	}
	go func() {
		if !subscription {
			// Acquired here, not in the reader, so acks keep flowing to
			// streams that hold a slot.
			c.sem <- struct{}{}
		}
		defer func() {
			if !subscription {
				<-c.sem
				c.finish(f.id)
				c.s.inflight.Done()
			}
		}()
		c.handle(ctx, f, r)
	}()
	return nil
}

func (c *serverConn) finish(id uint64) {
	c.mu.Lock()
	r := c.reqs[id]
	delete(c.reqs, id)
	c.mu.Unlock()
	if r != nil {
		r.cancel()
	}
}

func (c *serverConn) handle(ctx context.Context, f frame, r *serverReq) {
	defer c.recoverRequest(f)
	c.s.fault(faultRequest, f)
	var reply []byte
	var err error
	db := c.s.db
	switch f.kind {
	case kindGet:
		var val []byte
		var version uint64
		if val, version, err = db.Get(ctx, f.payload); err == nil {
			reply = encodeGetReply(val, version)
		}
	case kindTxn:
		var conds []Cond
		var ops []Op
		if conds, ops, err = decodeTxn(f.payload); err == nil {
			err = db.Txn(ctx, conds, ops)
		}
	case kindPublish:
		err = db.Publish(ctx, string(f.payload))
	case kindCheckpoint:
		err = db.Checkpoint(ctx, string(f.payload))
	case kindScan:
		err = c.scan(ctx, f, r)
	case kindBackup:
		st := &stream{c: c, id: f.id, ctx: ctx, credit: r.credit}
		if err = db.Backup(ctx, st); err == nil {
			err = st.flush()
		}
	case kindSubscribe:
		c.subscribe(ctx, f)
		return
	}
	switch {
	case err != nil:
		c.write(kindErr, f.id, encodeError(err))
	case f.kind == kindScan || f.kind == kindBackup:
		c.write(kindEnd, f.id, nil)
	default:
		c.write(kindOK, f.id, reply)
	}
}

// recoverRequest, deferred by handle, turns a panic while serving one
// request into an error reply to that request: the connection, its other
// requests and every other client carry on. A Txn's outcome is unknown to
// the client (the panic may have followed the commit).
func (c *serverConn) recoverRequest(f frame) {
	v := recover()
	if v == nil {
		return
	}
	c.s.logPanic("request", v, "kind", f.kind, "id", f.id)
	err := fmt.Errorf("cyrusdb service: internal error (server bug): %v", v)
	if f.kind == kindTxn {
		err = fmt.Errorf("%w: the db service failed (server bug): %v", ErrOutcomeUnknown, v)
	}
	c.write(kindErr, f.id, encodeError(err))
}

func (c *serverConn) scan(ctx context.Context, f frame, r *serverReq) error {
	prefix, after, err := decodeScan(f.payload)
	if err != nil {
		return err
	}
	st := &stream{c: c, id: f.id, ctx: ctx, credit: r.credit}
	err = c.s.db.scanFrom(ctx, prefix, after, func(key, val []byte, version uint64) error {
		appendRecord(&st.buf, key, val, version)
		if len(st.buf) >= chunkSize {
			return st.flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return st.flush()
}

// subscribe forwards the hub's wake-ups for one topic as event frames
// until the client unsubscribes or disconnects.
func (c *serverConn) subscribe(ctx context.Context, f frame) {
	ch, cancel, err := c.s.db.Subscribe(ctx, string(f.payload))
	if err != nil {
		c.finish(f.id)
		c.write(kindErr, f.id, encodeError(err))
		return
	}
	defer c.finish(f.id)
	defer cancel()
	if c.write(kindOK, f.id, nil) != nil {
		return
	}
	for range ch {
		if c.write(kindEvent, f.id, nil) != nil {
			return
		}
	}
}

// write sends one frame; concurrent handlers share the connection.
func (c *serverConn) write(kind byte, id uint64, payload []byte) error {
	if len(payload) > maxPayload {
		kind, payload = kindErr, encodeError(fmt.Errorf("%w: reply of %d bytes", ErrTxnTooLarge, len(payload)))
	}
	hdr := frameHeaderBytes(kind, id, len(payload))
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	c.bw.Write(hdr[:])
	c.bw.Write(payload)
	if err := c.bw.Flush(); err != nil {
		c.nc.Close()
		return err
	}
	return nil
}

// stream sends chunk frames, waiting for a credit (an ack of an earlier
// chunk) when streamWindow chunks are outstanding. It is also the
// io.Writer a backup is written to.
type stream struct {
	c      *serverConn
	id     uint64
	ctx    context.Context
	credit chan struct{}
	buf    enc
}

func (st *stream) Write(p []byte) (int, error) {
	st.buf = append(st.buf, p...)
	if len(st.buf) >= chunkSize {
		if err := st.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (st *stream) flush() error {
	if len(st.buf) == 0 {
		return nil
	}
	select {
	case st.credit <- struct{}{}:
	case <-st.ctx.Done():
		return st.ctx.Err()
	}
	err := st.c.write(kindChunk, st.id, st.buf)
	st.buf = st.buf[:0]
	return err
}
