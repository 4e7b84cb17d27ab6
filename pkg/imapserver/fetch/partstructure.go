package fetch

import (
	"errors"

	"gocyrus/pkg/imapserver/wire"
)

// ErrNoSuchPart: a part number names no part of the message.
var ErrNoSuchPart = errors.New("no such body part")

// PartStructure returns the extended body structure of m's part (empty:
// the whole message), as URLFETCH's BODYPARTSTRUCTURE reports it (RFC
// 5524 §3.2). Numbering is FETCH's (RFC 3501 §6.4.5): a part of a
// message/rfc822 part numbers the encapsulated message's body, and part 1
// of a body that is not multipart is the body itself.
func PartStructure(m *Message, part []int) (*wire.BodyStructure, error) {
	r := resolver{m: m}
	defer r.close()
	c, err := r.loadCached()
	if err != nil {
		return nil, err
	}
	b := bodyOf(c.Body)
	for i, n := range part {
		if i > 0 && b.Message != nil {
			b = b.Message
		}
		switch {
		case b.IsMultipart() && n >= 1 && n <= len(b.Parts):
			b = b.Parts[n-1]
		case !b.IsMultipart() && n == 1:
		default:
			return nil, ErrNoSuchPart
		}
	}
	return b, nil
}
