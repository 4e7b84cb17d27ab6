package main

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// annotationValue returns the value bytes of an annotations.db record.
// Every Cyrus writes the value's length from htonl into an unsigned long
// (on the 64-bit machines that wrote nearly all of them, a big-endian u32
// and four zero bytes; on 32-bit ones the u32 alone), then the value.
// Cyrus 2.4 follows it with "\0<content-type>\0" and modifiedsince in
// another unsigned long, nothing else (annotate.c write_entry of 2.4);
// 3.x writes the same fake fields and then a modseq and flags, and reads
// only the length and value. So: the exact 2.4 shape, with either word
// size, else 3.x's 8-byte length and value with anything after it.
func annotationValue(v []byte) ([]byte, error) {
	for _, word := range []int{8, 4} {
		if val, ok := annotationValue24(v, word); ok {
			return val, nil
		}
	}
	if len(v) < 8 {
		return nil, errors.New("value too short")
	}
	n := binary.BigEndian.Uint32(v)
	if uint64(n) > uint64(len(v)-8) {
		return nil, errors.New("value runs past its record")
	}
	return v[8 : 8+n], nil
}

// annotationValue24 reads the 2.4 shape with a length word of word bytes:
// word, value, NUL, content type, NUL, word, and nothing after.
func annotationValue24(v []byte, word int) ([]byte, bool) {
	if len(v) < 2*word+2 {
		return nil, false
	}
	n := uint64(binary.BigEndian.Uint32(v))
	if word == 8 && binary.BigEndian.Uint32(v[4:]) != 0 {
		return nil, false
	}
	if n > uint64(len(v)-2*word-2) || v[uint64(word)+n] != 0 {
		return nil, false
	}
	rest := v[uint64(word)+n+1:] // content type, NUL, modifiedsince
	ct := bytes.IndexByte(rest, 0)
	if ct < 0 || len(rest)-ct-1 != word || bytes.IndexByte(rest[:ct], '/') < 0 {
		return nil, false
	}
	return v[word : uint64(word)+n], true
}
