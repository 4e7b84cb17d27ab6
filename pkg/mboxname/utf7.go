package mboxname

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands for itself except
// '&', written "&-"; everything else is UTF-16, base64-encoded with ',' for
// '/', without padding, between '&' and '-'.

const utf7Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

var utf7Decode = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(utf7Alphabet); i++ {
		t[utf7Alphabet[i]] = int8(i)
	}
	return t
}()

// ErrInvalidUTF7 is wrapped by DecodeUTF7's errors.
var ErrInvalidUTF7 = errors.New("invalid modified UTF-7")

func isDirect(r rune) bool { return r >= 0x20 && r <= 0x7e }

// EncodeUTF7 encodes a UTF-8 string in modified UTF-7. Invalid UTF-8 bytes
// are encoded as U+FFFD.
func EncodeUTF7(s string) string {
	var b strings.Builder
	var pending []uint16
	flush := func() {
		if len(pending) == 0 {
			return
		}
		b.WriteByte('&')
		var bits uint32
		var nbits uint
		for _, u := range pending {
			bits = bits<<16 | uint32(u)
			nbits += 16
			for nbits >= 6 {
				nbits -= 6
				b.WriteByte(utf7Alphabet[(bits>>nbits)&0x3f])
			}
		}
		if nbits > 0 {
			b.WriteByte(utf7Alphabet[(bits<<(6-nbits))&0x3f])
		}
		b.WriteByte('-')
		pending = pending[:0]
	}
	for _, r := range s {
		if isDirect(r) {
			flush()
			if r == '&' {
				b.WriteString("&-")
			} else {
				b.WriteRune(r)
			}
			continue
		}
		pending = utf16.AppendRune(pending, r)
	}
	flush()
	return b.String()
}

// DecodeUTF7 decodes modified UTF-7 to UTF-8. It accepts only the canonical
// encoding that EncodeUTF7 produces, so that one mailbox has one name: raw
// non-printable or non-ASCII bytes, printable ASCII inside a base64 run,
// adjacent runs, non-zero padding bits and unpaired surrogates are errors.
func DecodeUTF7(s string) (string, error) {
	if !strings.ContainsRune(s, '&') {
		for i := 0; i < len(s); i++ {
			if !isDirect(rune(s[i])) {
				return "", fmt.Errorf("%w: raw byte 0x%02x", ErrInvalidUTF7, s[i])
			}
		}
		return s, nil
	}
	var b strings.Builder
	afterRun := false
	for i := 0; i < len(s); {
		c := s[i]
		if !isDirect(rune(c)) {
			return "", fmt.Errorf("%w: raw byte 0x%02x", ErrInvalidUTF7, c)
		}
		if c != '&' {
			b.WriteByte(c)
			i++
			afterRun = false
			continue
		}
		end := strings.IndexByte(s[i+1:], '-')
		if end < 0 {
			return "", fmt.Errorf("%w: unterminated '&' run", ErrInvalidUTF7)
		}
		run := s[i+1 : i+1+end]
		i += end + 2
		if run == "" {
			b.WriteByte('&')
			afterRun = false
			continue
		}
		if afterRun {
			return "", fmt.Errorf("%w: adjacent encoded runs", ErrInvalidUTF7)
		}
		if err := decodeRun(&b, run); err != nil {
			return "", err
		}
		afterRun = true
	}
	return b.String(), nil
}

func decodeRun(b *strings.Builder, run string) error {
	var bits uint32
	var nbits uint
	units := make([]uint16, 0, len(run)*6/16)
	for i := 0; i < len(run); i++ {
		v := utf7Decode[run[i]]
		if v < 0 {
			return fmt.Errorf("%w: %q in an encoded run", ErrInvalidUTF7, run[i])
		}
		bits = bits<<6 | uint32(v)
		nbits += 6
		if nbits >= 16 {
			nbits -= 16
			units = append(units, uint16(bits>>nbits))
		}
	}
	if nbits >= 6 || bits&(1<<nbits-1) != 0 {
		return fmt.Errorf("%w: bad padding in an encoded run", ErrInvalidUTF7)
	}
	for i := 0; i < len(units); i++ {
		r := rune(units[i])
		if utf16.IsSurrogate(r) {
			if i+1 >= len(units) {
				return fmt.Errorf("%w: unpaired surrogate", ErrInvalidUTF7)
			}
			r = utf16.DecodeRune(r, rune(units[i+1]))
			if r == utf8.RuneError {
				return fmt.Errorf("%w: unpaired surrogate", ErrInvalidUTF7)
			}
			i++
		}
		if isDirect(r) {
			return fmt.Errorf("%w: printable ASCII %q encoded", ErrInvalidUTF7, r)
		}
		b.WriteRune(r)
	}
	return nil
}
