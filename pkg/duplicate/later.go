package duplicate

import (
	"context"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/panics"
)

// flushTimeout bounds one background write of pending records.
const flushTimeout = time.Minute

// MarkLater records the delivery of k like Mark, but in the background:
// records made while a write is under way are batched into the next
// transaction, so deliveries do not each wait for a database commit.
// Seen in this process sees the record at once. A record that cannot be
// written is reported to the error hook (SetErrorHook) and dropped: like a
// crash before Mark, that can only let a retransmission be delivered
// twice. An existing record is overwritten (its time moves forward).
func (s *Store) MarkLater(k Key, at time.Time, uid uint32) {
	key := string(k.encode())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		s.pending = map[string][]byte{}
	}
	s.pending[key] = encodeValue(at, uid)
	if !s.flushing {
		s.flushing = true
		go s.flushLoop()
	}
}

// SetErrorHook sets the function told about background writes that failed.
func (s *Store) SetErrorHook(fn func(error)) {
	s.mu.Lock()
	s.onError = fn
	s.mu.Unlock()
}

// Flush waits until every record passed to MarkLater is written (or
// dropped), or ctx ends.
func (s *Store) Flush(ctx context.Context) error {
	for {
		s.mu.Lock()
		busy := s.flushing
		s.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// pendingSeen reports a record waiting to be written.
func (s *Store) pendingSeen(key []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.pending[string(key)]
	return ok
}

// flushLoop writes pending records in batches until none are left; it is
// the only goroutine writing them.
func (s *Store) flushLoop() {
	for s.flushBatch() {
	}
}

// flushBatch writes one batch of pending records, reporting a failure to
// the error hook; it returns false, the loop ended, when none are left.
// Written or not, the batch's records are no longer pending: a batch
// that failed is dropped, as a crash before Mark would drop it.
func (s *Store) flushBatch() bool {
	s.mu.Lock()
	if len(s.pending) == 0 {
		s.flushing = false
		s.mu.Unlock()
		return false
	}
	batch := make(map[string][]byte, min(len(s.pending), pruneBatch))
	for k, v := range s.pending {
		if len(batch) == pruneBatch {
			break
		}
		batch[k] = v
	}
	s.mu.Unlock()

	err := s.writeBatch(batch)

	s.mu.Lock()
	for k, v := range batch {
		// A newer MarkLater of the same key stays pending.
		if cur, ok := s.pending[k]; ok && &cur[0] == &v[0] {
			delete(s.pending, k)
		}
	}
	hook := s.onError
	s.mu.Unlock()
	if err != nil && hook != nil {
		hook(err)
	}
	return true
}

// writeBatch writes records in one transaction. A panic below (a bug)
// fails this batch only, as a *panics.Error with its stack: unrecovered in
// this background goroutine it would end the whole process.
func (s *Store) writeBatch(batch map[string][]byte) (err error) {
	defer panics.Guard(func(e *panics.Error) { err = e })
	ops := make([]cyrusdb.Op, 0, len(batch))
	for k, v := range batch {
		ops = append(ops, cyrusdb.Put{Key: []byte(k), Val: v, TTL: s.ttl})
	}
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	return s.db.Txn(ctx, nil, ops)
}
