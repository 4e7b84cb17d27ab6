package flatdb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// ErrCorrupt is wrapped by every error about the file's content.
var ErrCorrupt = errors.New("damaged flat database file")

// Record is one key and its value, unescaped.
type Record struct {
	Key, Value []byte
}

// ReadFile reads the file at path and returns its records in file order.
func ReadFile(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("flatdb: %w", err)
	}
	recs, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// Parse returns the records of a flat database image.
func Parse(data []byte) ([]Record, error) {
	var out []Record
	for n := 1; len(data) > 0; n++ {
		line, rest, ok := bytes.Cut(data, []byte("\n"))
		if !ok {
			return nil, fmt.Errorf("%w: line %d: no newline at the end of the file", ErrCorrupt, n)
		}
		data = rest
		k, v, ok := bytes.Cut(line, []byte("\t"))
		if !ok {
			return nil, fmt.Errorf("%w: line %d: no tab between key and value", ErrCorrupt, n)
		}
		key, err := unescape(k)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: key: %w", ErrCorrupt, n, err)
		}
		value, err := unescape(v)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: value: %w", ErrCorrupt, n, err)
		}
		out = append(out, Record{Key: key, Value: value})
	}
	return out, nil
}

// escaped are the bytes Cyrus writes as 0xFF and the byte|0x80.
var escaped = [...]byte{0, '\t', '\n', '\r'}

func unescape(b []byte) ([]byte, error) {
	if bytes.IndexByte(b, 0xff) < 0 {
		return bytes.Clone(b), nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != 0xff {
			out = append(out, b[i])
			continue
		}
		i++
		if i == len(b) {
			return nil, errors.New("0xFF escape at the end")
		}
		c := b[i]
		if c == 0xff {
			out = append(out, 0xff)
			continue
		}
		if c&0x80 == 0 || bytes.IndexByte(escaped[:], c&^0x80) < 0 {
			return nil, fmt.Errorf("0xFF 0x%02X is not an escape Cyrus writes", c)
		}
		out = append(out, c&^0x80)
	}
	return out, nil
}
