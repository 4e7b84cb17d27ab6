package pop3server

import (
	"fmt"
	"strconv"
)

// uidlFormat is the uidl_format option.
type uidlFormat int

const (
	uidlCyrus   uidlFormat = iota // "uidvalidity.uid"
	uidlUIDOnly                   // "uid"
	uidlDovecot                   // "%08x%08x" of uid, uidvalidity
	uidlCourier                   // "uidvalidity-uid"
)

func parseUIDLFormat(s string) (uidlFormat, error) {
	switch s {
	case "", "cyrus":
		return uidlCyrus, nil
	case "uidonly":
		return uidlUIDOnly, nil
	case "dovecot":
		return uidlDovecot, nil
	case "courier":
		return uidlCourier, nil
	}
	return 0, fmt.Errorf("pop3server: uidl_format %q is not one of uidonly, cyrus, dovecot, courier", s)
}

// appendUIDL appends the unique-id of a message to b.
func (f uidlFormat) appendUIDL(b []byte, uidValidity, uid uint32) []byte {
	switch f {
	case uidlUIDOnly:
		return strconv.AppendUint(b, uint64(uid), 10)
	case uidlDovecot:
		return fmt.Appendf(b, "%08x%08x", uid, uidValidity)
	case uidlCourier:
		b = strconv.AppendUint(b, uint64(uidValidity), 10)
		b = append(b, '-')
		return strconv.AppendUint(b, uint64(uid), 10)
	}
	b = strconv.AppendUint(b, uint64(uidValidity), 10)
	b = append(b, '.')
	return strconv.AppendUint(b, uint64(uid), 10)
}
