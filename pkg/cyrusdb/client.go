package cyrusdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// client is the online DB: every call goes to the db service over one
// multiplexed connection, redialled when it breaks.
type client struct {
	sockPath string
	opts     Options
	log      *slog.Logger

	mu     sync.Mutex
	cn     *clientConn
	closed bool
	subs   map[*clientSub]struct{}
	done   chan struct{}
}

// clientSub is one Subscribe; it is re-registered on every new connection.
type clientSub struct {
	topic string
	ch    chan struct{}

	mu   sync.Mutex
	done bool
	cn   *clientConn
	id   uint64
}

func (s *clientSub) wake() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		select {
		case s.ch <- struct{}{}:
		default:
		}
	}
}

func newClient(sockPath string, cn *clientConn, opts Options) *client {
	c := &client{sockPath: sockPath, opts: opts, log: opts.logger(),
		subs: map[*clientSub]struct{}{}, done: make(chan struct{})}
	cn.onBreak = c.onBreak
	c.cn = cn
	return c
}

func (c *client) Online() bool { return true }

// conn returns the live connection, dialling a new one if it broke.
func (c *client) conn() (*clientConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if c.cn != nil && !c.cn.isBroken() {
		return c.cn, nil
	}
	cn, err := dial(c.sockPath, c.opts.dialTimeout(), c.onBreak)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errBroken, c.sockPath, err)
	}
	c.cn = cn
	return cn, nil
}

// idempotent runs a request, retrying once on a new connection if the old
// one broke: safe for requests that change nothing.
func (c *client) idempotent(ctx context.Context, kind byte, payload []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		cn, err := c.conn()
		if err != nil {
			return nil, err
		}
		reply, err := cn.roundTrip(ctx, kind, payload)
		if (errors.Is(err, errBroken) || errors.Is(err, errNotSent)) && attempt == 0 {
			continue
		}
		return reply, err
	}
}

func (c *client) Get(ctx context.Context, key []byte) ([]byte, uint64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, err
	}
	reply, err := c.idempotent(ctx, kindGet, key)
	if err != nil {
		return nil, 0, err
	}
	return decodeGetReply(reply)
}

func (c *client) Txn(ctx context.Context, conds []Cond, ops []Op) error {
	if c.opts.ReadOnly {
		return ErrReadOnly
	}
	if err := validateTxn(conds, ops); err != nil {
		return err
	}
	payload, err := encodeTxn(conds, ops)
	if err != nil {
		return err
	}
	for {
		cn, err := c.conn()
		if err != nil {
			return err
		}
		_, err = cn.roundTrip(ctx, kindTxn, payload)
		switch {
		case errors.Is(err, errNotSent):
			continue // never left: the next conn() redials or fails
		case errors.Is(err, errBroken):
			return ErrOutcomeUnknown
		case (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && ctx.Err() != nil:
			return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		return err
	}
}

func (c *client) Publish(ctx context.Context, topic string) error {
	_, err := c.idempotent(ctx, kindPublish, []byte(topic))
	return err
}

func (c *client) Checkpoint(ctx context.Context, backupDir string) error {
	if c.opts.ReadOnly {
		return ErrReadOnly
	}
	_, err := c.idempotent(ctx, kindCheckpoint, []byte(backupDir))
	return err
}

func (c *client) Scan(ctx context.Context, prefix []byte, fn func(key, val []byte, version uint64) error) error {
	var last []byte // the last key delivered: a retry resumes after it
	err := c.stream(ctx, kindScan, func() []byte { return encodeScan(prefix, last) }, true, func(chunk []byte) error {
		return decodeChunk(chunk, func(key, val []byte, version uint64) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(key, val, version); err != nil {
				return err
			}
			last = append(last[:0], key...)
			return nil
		})
	})
	return err
}

func (c *client) Backup(ctx context.Context, w io.Writer) error {
	return c.stream(ctx, kindBackup, func() []byte { return nil }, false, func(chunk []byte) error {
		_, err := w.Write(chunk)
		return err
	})
}

// stream runs a streaming request, handing each chunk to consume. When
// resumable, a broken connection is redialled once and the request rebuilt
// by payload (which may depend on what was consumed).
func (c *client) stream(ctx context.Context, kind byte, payload func() []byte, resumable bool, consume func([]byte) error) error {
	consumed := false
	for attempt := 0; ; attempt++ {
		cn, err := c.conn()
		if err != nil {
			return err
		}
		err = c.streamOnce(ctx, cn, kind, payload(), func(chunk []byte) error {
			consumed = true
			return consume(chunk)
		})
		lost := errors.Is(err, errBroken) || errors.Is(err, errNotSent)
		if lost && attempt == 0 && (resumable || !consumed) {
			continue
		}
		return err
	}
}

func (c *client) streamOnce(ctx context.Context, cn *clientConn, kind byte, payload []byte, consume func([]byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	id, call, err := cn.start(kind, payload, nil)
	if err != nil {
		return err
	}
	for {
		f, err := cn.next(ctx, id, call)
		if err == nil {
			err = ctx.Err() // replies may be queued after a cancel
		}
		if err != nil {
			cn.cancel(id)
			return err
		}
		switch f.kind {
		case kindEnd:
			return nil
		case kindErr:
			return decodeError(f.payload)
		case kindChunk:
			// Ack first so the server prepares the next chunk meanwhile.
			if cn.send(kindAck, id, nil) != nil {
				return errBroken
			}
			if err := consume(f.payload); err != nil {
				cn.cancel(id)
				return err
			}
		default:
			cn.cancel(id)
			return fmt.Errorf("%w: unexpected stream frame kind %d", errFrame, f.kind)
		}
	}
}

func (c *client) Subscribe(ctx context.Context, topic string) (<-chan struct{}, func(), error) {
	s := &clientSub{topic: topic, ch: make(chan struct{}, 1)}
	cn, err := c.conn()
	if err != nil {
		return nil, nil, err
	}
	if err := c.register(ctx, cn, s); errors.Is(err, errBroken) || errors.Is(err, errNotSent) {
		if cn, err = c.conn(); err == nil {
			err = c.register(ctx, cn, s)
		}
		if err != nil {
			return nil, nil, err
		}
	} else if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, nil, ErrClosed
	}
	c.subs[s] = struct{}{}
	c.mu.Unlock()
	if cn.isBroken() { // broke before s was listed: onBreak missed it
		go c.resubscribe(cn)
	}

	cancel := func() {
		c.mu.Lock()
		delete(c.subs, s)
		c.mu.Unlock()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.done {
			return
		}
		s.done = true
		close(s.ch)
		if s.cn != nil {
			s.cn.forget(s.id)
			s.cn.send(kindUnsubscribe, s.id, nil)
		}
	}
	stop := context.AfterFunc(ctx, cancel)
	return s.ch, func() { stop(); cancel() }, nil
}

// register subscribes s on cn and waits for the server's OK.
func (c *client) register(ctx context.Context, cn *clientConn, s *clientSub) error {
	id, call, err := cn.start(kindSubscribe, []byte(s.topic), s)
	if err != nil {
		return err
	}
	f, err := cn.next(ctx, id, call)
	if err != nil {
		return err
	}
	if f.kind == kindErr {
		return decodeError(f.payload)
	}
	s.mu.Lock()
	s.cn, s.id = cn, id
	s.mu.Unlock()
	return nil
}

// onBreak runs when a connection dies. Subscribers would otherwise wait
// forever, so while any exist, keep redialling and re-registering them;
// each gets one wake-up for the events it may have missed.
func (c *client) onBreak(broken *clientConn) {
	c.mu.Lock()
	need := len(c.subs) > 0 && !c.closed
	c.mu.Unlock()
	if need {
		go c.resubscribe(broken)
	}
}

func (c *client) resubscribe(broken *clientConn) {
	delay := 50 * time.Millisecond
	for {
		cn, err := c.conn()
		if errors.Is(err, ErrClosed) {
			return
		}
		if err == nil {
			c.mu.Lock()
			subs := make([]*clientSub, 0, len(c.subs))
			for s := range c.subs {
				subs = append(subs, s)
			}
			c.mu.Unlock()
			for _, s := range subs {
				s.mu.Lock()
				stale := s.cn == broken && !s.done
				s.mu.Unlock()
				if !stale {
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), c.opts.dialTimeout())
				err = c.register(ctx, cn, s)
				cancel()
				if err != nil {
					break
				}
				s.wake()
			}
			if err == nil {
				return
			}
		}
		c.log.Warn("cyrusdb: reconnecting to the db service", "socket", c.sockPath, "err", err)
		select {
		case <-c.done:
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

func (c *client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.done)
	cn := c.cn
	subs := c.subs
	c.subs = map[*clientSub]struct{}{}
	c.mu.Unlock()
	for s := range subs {
		s.mu.Lock()
		if !s.done {
			s.done = true
			close(s.ch)
		}
		s.mu.Unlock()
	}
	if cn != nil {
		cn.close()
	}
	return nil
}
