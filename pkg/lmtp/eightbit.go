package lmtp

import (
	"bytes"
	"unicode/utf8"
)

// replyEightBit is Cyrus's refusal under reject8bit.
var replyEightBit = &reply{554, "5.6.0", "Message contains non-ASCII characters in headers"}

// eightBitPolicy is what lmtpd does with 8-bit bytes in a header block.
type eightBitPolicy struct {
	reject bool // reject8bit: refuse the message
	munge  bool // munge8bit: replace them by 'X'
}

// apply returns msg as it is to be stored, or replyEightBit. Munging
// spares header blocks that are valid UTF-8 (RFC 6532 internationalised
// headers), which Cyrus predates: only raw bytes of unknown charset are
// replaced.
func (p eightBitPolicy) apply(msg []byte) ([]byte, error) {
	if !p.reject && !p.munge {
		return msg, nil
	}
	block := headerBlock(msg)
	if !hasEightBit(block) {
		return msg, nil
	}
	if p.reject {
		return nil, replyEightBit
	}
	if utf8.Valid(block) {
		return msg, nil
	}
	out := bytes.Clone(msg)
	for i := range block {
		if out[i] >= 0x80 {
			out[i] = 'X'
		}
	}
	return out, nil
}

func hasEightBit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
