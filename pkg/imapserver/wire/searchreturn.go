package wire

// PartialRange is the range of RFC 9394's PARTIAL return option: result
// positions Lo..Hi (1-based, Lo <= Hi), counted from the end of the result
// when FromEnd ("-1:-100" is the last hundred).
type PartialRange struct {
	Lo, Hi  uint32
	FromEnd bool
}

// String formats r as the ESEARCH PARTIAL result echoes it ("1:100",
// "-1:-100").
func (r PartialRange) String() string {
	if r.FromEnd {
		return "-" + utoa(r.Lo) + ":-" + utoa(r.Hi)
	}
	return utoa(r.Lo) + ":" + utoa(r.Hi)
}

func utoa(n uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// partialRange reads partial-range-first / partial-range-last (RFC 9394
// §4): "n:m" or "-n:-m", nz-numbers, in either order.
func (r *Reader) partialRange() *PartialRange {
	if !r.ok() {
		return nil
	}
	p := &PartialRange{FromEnd: r.Consume('-')}
	if r.failed(func() { p.Lo = r.nzNumber() }) {
		r.fail(syntaxErr("invalid PARTIAL range at %q", r.rest(16)))
		return nil
	}
	r.expect(':', "':' in PARTIAL range")
	if p.FromEnd && !r.Consume('-') {
		r.fail(syntaxErr("PARTIAL range mixes positive and negative numbers"))
		return nil
	}
	if r.failed(func() { p.Hi = r.nzNumber() }) {
		r.fail(syntaxErr("invalid PARTIAL range at %q", r.rest(16)))
		return nil
	}
	if p.Lo > p.Hi {
		p.Lo, p.Hi = p.Hi, p.Lo
	}
	return p
}
