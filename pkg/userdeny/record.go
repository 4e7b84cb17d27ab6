package userdeny

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// DefaultMessage is what a denied user is told when cyr_deny was given no
// -m (Cyrus's default_message).
const DefaultMessage = "Access to this service has been blocked"

// MaxMessage bounds a message: it goes into a protocol reply line.
const MaxMessage = 1024

// version is the value format Set writes (Cyrus's USERDENY_VERSION).
const version = 2

// Entry is one user's record.
type Entry struct {
	User     string
	Services string // comma-separated wildmat patterns, "*" all
	Message  string
}

// ErrBadRecord is a stored value that does not parse.
var ErrBadRecord = errors.New("userdeny: invalid record")

// ErrInvalid is a refused Set: an empty user, a TAB in the services, a
// control character or too long a message.
var ErrInvalid = errors.New("userdeny: invalid entry")

// format is the stored value of e.
func format(e Entry) []byte {
	return []byte(strconv.Itoa(version) + "\t" + e.Services + "\t" + e.Message)
}

// validate refuses what Set must not store.
func validate(e Entry) error {
	switch {
	case e.User == "":
		return fmt.Errorf("%w: no user", ErrInvalid)
	case strings.ContainsAny(e.User, "\x00\r\n"):
		return fmt.Errorf("%w: control character in user", ErrInvalid)
	case strings.ContainsAny(e.Services, "\t\x00\r\n"):
		return fmt.Errorf("%w: TAB or control character in services", ErrInvalid)
	case strings.ContainsAny(e.Message, "\x00\r\n"):
		return fmt.Errorf("%w: line break or NUL in message", ErrInvalid)
	case len(e.Message) > MaxMessage:
		return fmt.Errorf("%w: message longer than %d bytes", ErrInvalid, MaxMessage)
	}
	return nil
}

// parse reads a stored value the way Cyrus's parse_record does: a version
// 1 or 2, a TAB, the services, and with version 2 a TAB and the message.
func parse(user string, val []byte) (Entry, error) {
	s := string(val)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	v, err := strconv.Atoi(s[:i])
	if err != nil || v < 1 || v > version || i == len(s) || s[i] != '\t' {
		return Entry{}, fmt.Errorf("%w for %q", ErrBadRecord, user)
	}
	e := Entry{User: user, Services: s[i+1:], Message: DefaultMessage}
	if v == version {
		if svc, msg, ok := strings.Cut(e.Services, "\t"); ok {
			e.Services, e.Message = svc, clean(msg)
		}
	}
	return e, nil
}

// clean makes a message fit for a reply line.
func clean(msg string) string {
	if len(msg) > MaxMessage {
		msg = msg[:MaxMessage]
	}
	return strings.Map(func(r rune) rune {
		if r == 0 || r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, msg)
}

// Denies reports whether e denies service: the first of e's patterns that
// matches decides, "!" before a pattern allowing; none matching allows.
// Patterns are wildmat (*, ?, [...], [^...], \ escapes); a malformed one
// matches nothing, as in Cyrus's wildmat.
func (e Entry) Denies(service string) bool {
	for pat := range strings.SplitSeq(e.Services, ",") {
		allow := strings.HasPrefix(pat, "!")
		if allow {
			pat = pat[1:]
		}
		// Service names hold no '/', the one character path.Match's '*'
		// does not cross.
		if ok, err := path.Match(pat, service); err == nil && ok {
			return !allow
		}
	}
	return false
}

// ReplyText is the message as the daemons send it: Cyrus skips leading
// '[' so that it cannot pass for a response code.
func (e Entry) ReplyText() string {
	return strings.TrimLeft(e.Message, "[")
}
