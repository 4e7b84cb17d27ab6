package wire

import (
	"strings"

	"github.com/emersion/go-imap/v2"
)

// StoreCommand is STORE / UID STORE (RFC 3501 §6.4.6, RFC 7162 §3.1.3).
type StoreCommand struct {
	Set               imap.NumSet
	Op                imap.StoreFlagsOp
	Silent            bool
	Flags             []imap.Flag
	UnchangedSince    uint64
	HasUnchangedSince bool
}

// ParseStore parses the arguments of STORE; uid marks UID STORE.
func ParseStore(r *Reader, uid bool) (*StoreCommand, error) {
	c := &StoreCommand{}
	r.sp()
	c.Set = r.numSet(uid)
	r.sp()
	if r.peek() == '(' {
		r.list(func() {
			if mod := r.keyword(); r.err == nil && mod != "UNCHANGEDSINCE" {
				r.fail(syntaxErr("unknown STORE modifier %s", mod))
			}
			r.sp()
			c.UnchangedSince = r.number64()
			c.HasUnchangedSince = true
		})
		r.sp()
	}
	switch {
	case r.Consume('+'):
		c.Op = imap.StoreFlagsAdd
	case r.Consume('-'):
		c.Op = imap.StoreFlagsDel
	default:
		c.Op = imap.StoreFlagsSet
	}
	switch item := r.keyword(); {
	case r.err != nil, item == "FLAGS":
	case item == "FLAGS.SILENT":
		c.Silent = true
	default:
		r.fail(syntaxErr("invalid STORE item %s", strings.TrimSpace(item)))
	}
	r.sp()
	if r.peek() == '(' {
		c.Flags = r.flagList()
	} else {
		for r.err == nil {
			c.Flags = append(c.Flags, r.flag())
			if !r.Consume(' ') {
				break
			}
		}
	}
	for _, f := range c.Flags {
		if f == `\Recent` {
			r.fail(syntaxErr(`\Recent cannot be stored`))
		}
	}
	return end(r, c)
}
