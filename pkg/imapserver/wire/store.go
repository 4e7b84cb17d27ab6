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
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Set, err = r.NumSet(uid); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	if r.peek() == '(' {
		err = r.List(func() error {
			mod, err := r.Keyword()
			if err != nil {
				return err
			}
			if mod != "UNCHANGEDSINCE" {
				return syntaxErr("unknown STORE modifier %s", mod)
			}
			if err := r.SP(); err != nil {
				return err
			}
			c.UnchangedSince, err = r.Number64()
			c.HasUnchangedSince = true
			return err
		})
		if err != nil {
			return nil, err
		}
		if err = r.SP(); err != nil {
			return nil, err
		}
	}
	switch {
	case r.Consume('+'):
		c.Op = imap.StoreFlagsAdd
	case r.Consume('-'):
		c.Op = imap.StoreFlagsDel
	default:
		c.Op = imap.StoreFlagsSet
	}
	item, err := r.Keyword()
	if err != nil {
		return nil, err
	}
	switch item {
	case "FLAGS":
	case "FLAGS.SILENT":
		c.Silent = true
	default:
		return nil, syntaxErr("invalid STORE item %s", strings.TrimSpace(item))
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	if r.peek() == '(' {
		if c.Flags, err = r.FlagList(); err != nil {
			return nil, err
		}
	} else {
		for {
			f, err := r.Flag()
			if err != nil {
				return nil, err
			}
			c.Flags = append(c.Flags, f)
			if !r.Consume(' ') {
				break
			}
		}
	}
	for _, f := range c.Flags {
		if f == `\Recent` {
			return nil, syntaxErr(`\Recent cannot be stored`)
		}
	}
	return c, r.EOL()
}
