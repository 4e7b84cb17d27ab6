package lmtp

import "strings"

// applyStrict2821 applies lmtp_strict_rfc2821 to an envelope address
// (MAIL FROM or RCPT TO, without its angle brackets), as Cyrus's
// parseaddr does. An unquoted local part with 8-bit bytes is refused when
// strict (ok false: 501 5.5.4); otherwise each such byte becomes 'X', so
// that an MTA letting 8-bit local parts through cannot make lmtpd bounce
// to them (backscatter). A quoted local part and the domain are left as
// they are, as in Cyrus.
func applyStrict2821(addr string, strict bool) (out string, ok bool) {
	start := localPartStart(addr)
	if start >= len(addr) || addr[start] == '"' {
		return addr, true
	}
	end := strings.IndexByte(addr[start:], '@')
	if end < 0 {
		end = len(addr)
	} else {
		end += start
	}
	local := addr[start:end]
	if !hasEightBit([]byte(local)) {
		return addr, true
	}
	if strict {
		return "", false
	}
	b := []byte(addr)
	for i := start; i < end; i++ {
		if b[i] >= 0x80 {
			b[i] = 'X'
		}
	}
	return string(b), true
}

// localPartStart skips a source route ("@a,@b:user@dom"); without a
// colon the whole address is taken as it is.
func localPartStart(addr string) int {
	if !strings.HasPrefix(addr, "@") {
		return 0
	}
	i := strings.IndexByte(addr, ':')
	if i < 0 {
		return 0
	}
	return i + 1
}
