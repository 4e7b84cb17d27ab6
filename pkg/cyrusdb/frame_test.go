package cyrusdb

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"
)

func encodeFrame(kind byte, id uint64, payload []byte) []byte {
	h := frameHeaderBytes(kind, id, len(payload))
	return append(h[:], payload...)
}

func TestReadFrame(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want frame
		err  error
	}{
		{"get", encodeFrame(kindGet, 7, []byte("key")), frame{kindGet, 7, []byte("key")}, nil},
		{"empty payload", encodeFrame(kindEnd, 1<<60, nil), frame{kindEnd, 1 << 60, []byte{}}, nil},
		{"eof", nil, frame{}, io.EOF},
		{"short length", []byte{0, 0, 0, 8, 1, 0, 0, 0, 0, 0, 0, 0}, frame{}, errFrame},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff}, frame{}, errFrame},
		{"unknown kind", encodeFrame(99, 1, nil), frame{}, errFrame},
		{"truncated header", encodeFrame(kindGet, 1, nil)[:7], frame{}, errFrame},
		{"truncated payload", encodeFrame(kindGet, 1, []byte("abc"))[:14], frame{}, errFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readFrame(bufio.NewReader(bytes.NewReader(tt.in)))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("want %v, got %v", tt.err, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestTxnCodecRoundTrip(t *testing.T) {
	conds := []Cond{{Key: []byte("a")}, {Key: []byte("b"), Version: 1 << 40}, {Key: []byte("c"), Exists: true}}
	ops := []Op{
		Put{Key: []byte("k"), Val: []byte("v"), TTL: 3 * time.Hour},
		Put{Key: []byte("k2"), Val: []byte{}},
		Delete{Key: []byte("d")},
		DeletePrefix{Prefix: []byte("p.")},
		Add{Key: []byte("q"), Deltas: []int64{-5, 1 << 50}, Limits: []int64{-1}, CheckBefore: true},
	}
	p, err := encodeTxn(conds, ops)
	if err != nil {
		t.Fatal(err)
	}
	gotConds, gotOps, err := decodeTxn(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotConds, conds) || !reflect.DeepEqual(gotOps, ops) {
		t.Fatalf("round trip:\n%#v\n%#v", gotConds, gotOps)
	}
	if _, _, err := decodeTxn(append(p, 0)); !errors.Is(err, errFrame) {
		t.Fatalf("trailing byte: %v", err)
	}
}

func TestErrorCodecRoundTrip(t *testing.T) {
	for _, sentinel := range []error{ErrNotFound, ErrConflict, ErrReadOnly, ErrClosed, ErrTxnTooLarge, ErrInvalid} {
		got := decodeError(encodeError(sentinel))
		if !errors.Is(got, sentinel) || got.Error() != sentinel.Error() {
			t.Errorf("%v came back as %v", sentinel, got)
		}
	}
	le := &LimitError{Key: []byte("quota/user.a"), Index: 1, Current: 10, Delta: 2, Limit: 11}
	var got *LimitError
	if err := decodeError(encodeError(le)); !errors.As(err, &got) || !reflect.DeepEqual(got, le) {
		t.Errorf("limit error came back as %v", err)
	}
}

// FuzzReadFrame: arbitrary bytes on the socket give frames or errors,
// never a panic or an allocation beyond the frame limit.
func FuzzReadFrame(f *testing.F) {
	f.Add(encodeFrame(kindGet, 1, []byte("key")))
	f.Add(append(encodeFrame(kindAck, 2, nil), encodeFrame(kindCancel, 3, nil)...))
	f.Add([]byte{0, 0, 0, 9})
	f.Add([]byte{0x04, 0, 0, 0, kindTxn})
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		for range 16 {
			fr, err := readFrame(br)
			if err != nil {
				return
			}
			if !validKind(fr.kind) || len(fr.payload) > maxPayload {
				t.Fatalf("bad frame accepted: %+v", fr)
			}
		}
	})
}

// FuzzDecodePayloads: every payload decoder rejects garbage cleanly, and
// whatever decodes as a Txn re-encodes to the same bytes.
func FuzzDecodePayloads(f *testing.F) {
	txn, _ := encodeTxn([]Cond{{Key: []byte("a"), Version: 3}},
		[]Op{Put{Key: []byte("k"), Val: []byte("v"), TTL: time.Second}, Add{Key: []byte("q"), Deltas: []int64{1}, Limits: []int64{5}}})
	f.Add(txn)
	f.Add(encodeScan([]byte("user."), []byte("user.a")))
	f.Add(encodeError(&LimitError{Key: []byte("q"), Limit: 1}))
	f.Add(encodeError(ErrConflict))
	var chunk enc
	appendRecord(&chunk, []byte("k"), []byte("v"), 9)
	f.Add([]byte(chunk))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, p []byte) {
		if conds, ops, err := decodeTxn(p); err == nil {
			again, err := encodeTxn(conds, ops)
			if err != nil {
				t.Fatal(err)
			}
			c2, o2, err := decodeTxn(again)
			if err != nil || !reflect.DeepEqual(c2, conds) || !reflect.DeepEqual(o2, ops) {
				t.Fatalf("re-decode differs: %v", err)
			}
		}
		decodeScan(p)
		decodeGetReply(p)
		decodeChunk(p, func(k, v []byte, ver uint64) error { return nil })
		if err := decodeError(p); err == nil {
			t.Fatal("decodeError returned nil")
		}
	})
}
