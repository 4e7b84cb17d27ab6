package cyrusdbfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"gocyrus/pkg/flatdb"
	"gocyrus/pkg/skiplist"
	"gocyrus/pkg/twoskip"
)

// ErrUnsupported is wrapped when a file is of a format not read.
var ErrUnsupported = errors.New("unsupported Cyrus database format")

// Format names a Cyrus database backend as imapd.conf does.
type Format string

// The formats Detect tells apart.
const (
	Twoskip  Format = "twoskip"
	Skiplist Format = "skiplist"
	Berkeley Format = "berkeley"
	Flat     Format = "flat"
)

// Record is one key and its value.
type Record struct {
	Key, Value []byte
}

// Berkeley DB's hash and btree magics, at offset 12, in either byte
// order (the machine that wrote the file decides).
var berkeleyMagic = []uint32{0x00061561, 0x00053162}

// Detect tells the format of a database image by its magic.
func Detect(data []byte) Format {
	switch {
	case twoskip.IsTwoskip(data):
		return Twoskip
	case skiplist.IsSkiplist(data):
		return Skiplist
	case len(data) >= 16:
		for _, m := range berkeleyMagic {
			if binary.BigEndian.Uint32(data[12:]) == m || binary.LittleEndian.Uint32(data[12:]) == m {
				return Berkeley
			}
		}
	}
	return Flat
}

// ReadFile reads the database at path, of whichever format it is, and
// returns its live records and the format.
func ReadFile(path string) ([]Record, Format, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("cyrusdbfile: %w", err)
	}
	recs, f, err := Parse(data)
	if err != nil {
		return nil, f, fmt.Errorf("%s: %w", path, err)
	}
	return recs, f, nil
}

// Parse returns the live records of a database image and its format.
func Parse(data []byte) ([]Record, Format, error) {
	f := Detect(data)
	var out []Record
	switch f {
	case Twoskip:
		recs, err := twoskip.Parse(data)
		if err != nil {
			return nil, f, err
		}
		for _, r := range recs {
			out = append(out, Record{Key: r.Key, Value: r.Value})
		}
	case Skiplist:
		recs, err := skiplist.Parse(data)
		if err != nil {
			return nil, f, err
		}
		for _, r := range recs {
			out = append(out, Record{Key: r.Key, Value: r.Value})
		}
	case Berkeley:
		return nil, f, fmt.Errorf("%w: a Berkeley DB file: convert it with Cyrus's cvt_cyrusdb to twoskip first", ErrUnsupported)
	default:
		recs, err := flatdb.Parse(data)
		if err != nil {
			return nil, f, err
		}
		for _, r := range recs {
			out = append(out, Record{Key: r.Key, Value: r.Value})
		}
	}
	return out, f, nil
}
