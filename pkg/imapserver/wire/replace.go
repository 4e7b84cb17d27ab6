package wire

// ParseReplace reads REPLACE's arguments up to the message (RFC 8508 §5:
// "REPLACE" SP seq-number SP mailbox SP [flag-list SP] [date-time SP]
// (literal / literal8); UID REPLACE has a UID instead): the number of the
// message to replace, and a parser giving the one new message, as
// APPEND's does (only one: a second is a syntax error).
func ParseReplace(r *Reader) (uint32, *AppendParser, error) {
	r.sp()
	n := r.nzNumber()
	if r.err != nil {
		return 0, nil, r.err
	}
	p, err := ParseAppend(r)
	if err != nil {
		return 0, nil, err
	}
	p.single = true
	return n, p, nil
}
