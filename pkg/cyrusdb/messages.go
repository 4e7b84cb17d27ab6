package cyrusdb

import (
	"errors"
	"fmt"
	"time"
)

// Op codes inside a Txn request.
const (
	opPut          byte = 1
	opDelete       byte = 2
	opDeletePrefix byte = 3
	opAdd          byte = 4
)

func encodeTxn(conds []Cond, ops []Op) ([]byte, error) {
	var e enc
	e.uvarint(uint64(len(conds)))
	for _, c := range conds {
		e.bytes(c.Key)
		e.uvarint(c.Version)
		e.bool1(c.Exists)
	}
	e.uvarint(uint64(len(ops)))
	for _, op := range ops {
		switch o := op.(type) {
		case Put:
			e.byte1(opPut)
			e.bytes(o.Key)
			e.bytes(o.Val)
			e.varint(int64(o.TTL))
		case Delete:
			e.byte1(opDelete)
			e.bytes(o.Key)
		case DeletePrefix:
			e.byte1(opDeletePrefix)
			e.bytes(o.Prefix)
		case Add:
			e.byte1(opAdd)
			e.bytes(o.Key)
			e.uvarint(uint64(len(o.Deltas)))
			for _, d := range o.Deltas {
				e.varint(d)
			}
			e.uvarint(uint64(len(o.Limits)))
			for _, l := range o.Limits {
				e.varint(l)
			}
			e.bool1(o.CheckBefore)
		default:
			return nil, fmt.Errorf("%w: unknown op %T", ErrInvalid, op)
		}
	}
	return e, nil
}

func decodeTxn(p []byte) ([]Cond, []Op, error) {
	d := dec{b: p}
	conds := make([]Cond, d.count(3))
	for i := range conds {
		conds[i] = Cond{Key: d.bytes(), Version: d.uvarint(), Exists: d.bool1()}
	}
	ops := make([]Op, d.count(2))
	for i := range ops {
		switch d.byte1() {
		case opPut:
			ops[i] = Put{Key: d.bytes(), Val: d.bytes(), TTL: time.Duration(d.varint())}
		case opDelete:
			ops[i] = Delete{Key: d.bytes()}
		case opDeletePrefix:
			ops[i] = DeletePrefix{Prefix: d.bytes()}
		case opAdd:
			a := Add{Key: d.bytes()}
			a.Deltas = make([]int64, d.count(1))
			for j := range a.Deltas {
				a.Deltas[j] = d.varint()
			}
			a.Limits = make([]int64, d.count(1))
			for j := range a.Limits {
				a.Limits[j] = d.varint()
			}
			a.CheckBefore = d.bool1()
			ops[i] = a
		default:
			d.fail("op")
		}
	}
	if err := d.end(); err != nil {
		return nil, nil, err
	}
	return conds, ops, nil
}

func encodeScan(prefix, after []byte) []byte {
	var e enc
	e.bytes(prefix)
	e.bool1(after != nil)
	e.bytes(after)
	return e
}

func decodeScan(p []byte) (prefix, after []byte, err error) {
	d := dec{b: p}
	prefix = d.bytes()
	hasAfter := d.bool1()
	after = d.bytes()
	if !hasAfter {
		after = nil
	} else if after == nil {
		after = []byte{}
	}
	return prefix, after, d.end()
}

// A scan chunk is a sequence of records (key, value, version) filling the
// payload; the client decodes until the payload is used up.
func appendRecord(e *enc, key, val []byte, version uint64) {
	e.bytes(key)
	e.bytes(val)
	e.uvarint(version)
}

func decodeChunk(p []byte, fn func(key, val []byte, version uint64) error) error {
	d := dec{b: p}
	for len(d.b) > 0 {
		key, val, version := d.bytes(), d.bytes(), d.uvarint()
		if d.err != nil {
			return d.err
		}
		if err := fn(key, val, version); err != nil {
			return err
		}
	}
	return d.err
}

func encodeGetReply(val []byte, version uint64) []byte {
	var e enc
	e.uvarint(version)
	return append(e, val...)
}

func decodeGetReply(p []byte) ([]byte, uint64, error) {
	d := dec{b: p}
	version := d.uvarint()
	if d.err != nil {
		return nil, 0, d.err
	}
	return d.b, version, nil
}

// Error codes of an error frame.
const (
	errCodeOther    byte = 1
	errCodeNotFound byte = 2
	errCodeConflict byte = 3
	errCodeLimit    byte = 4
	errCodeReadOnly byte = 5
	errCodeClosed   byte = 6
	errCodeTooLarge byte = 7
	errCodeInvalid  byte = 8
	// errCodeUnknown: the service failed during a Txn (a server bug).
	errCodeUnknown byte = 9
)

var errCodes = []struct {
	code byte
	err  error
}{
	{errCodeNotFound, ErrNotFound},
	{errCodeConflict, ErrConflict},
	{errCodeReadOnly, ErrReadOnly},
	{errCodeClosed, ErrClosed},
	{errCodeTooLarge, ErrTxnTooLarge},
	{errCodeInvalid, ErrInvalid},
	{errCodeUnknown, ErrOutcomeUnknown},
}

// encodeError writes code, then for a limit the LimitError's fields, then
// the message text.
func encodeError(err error) []byte {
	var e enc
	var le *LimitError
	if errors.As(err, &le) {
		e.byte1(errCodeLimit)
		e.bytes(le.Key)
		e.uvarint(uint64(le.Index))
		e.varint(le.Current)
		e.varint(le.Delta)
		e.varint(le.Limit)
		return e
	}
	code := errCodeOther
	for _, c := range errCodes {
		if errors.Is(err, c.err) {
			code = c.code
			break
		}
	}
	e.byte1(code)
	e.str(err.Error())
	return e
}

// remoteError carries the server's message and unwraps to the sentinel of
// its code, so errors.Is works as offline.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

func decodeError(p []byte) error {
	d := dec{b: p}
	code := d.byte1()
	if code == errCodeLimit {
		le := &LimitError{Key: d.bytes(), Index: int(d.uvarint()), Current: d.varint(), Delta: d.varint(), Limit: d.varint()}
		if err := d.end(); err != nil {
			return err
		}
		return le
	}
	msg := d.str()
	if err := d.end(); err != nil {
		return err
	}
	for _, c := range errCodes {
		if c.code == code {
			return &remoteError{msg: msg, sentinel: c.err}
		}
	}
	return &remoteError{msg: "cyrusdb service: " + msg}
}
