package wire

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// conn is a scripted client: its input is what the client sends, and
// continuations records what the server's Continue callback answered.
type conn struct {
	r     *Reader
	conts []LiteralInfo
}

func newConn(input string, opts Options) *conn {
	c := &conn{}
	if opts.Continue == nil {
		opts.Continue = func(info LiteralInfo) error {
			c.conts = append(c.conts, info)
			return nil
		}
	}
	c.r = NewReader(strings.NewReader(input), opts)
	return c
}

// parseAny dispatches a command to its parser the way a session would and
// returns the parsed value.
func parseAny(r *Reader, cmd Command) (any, error) {
	switch cmd.Name {
	case "FETCH":
		return ParseFetch(r, cmd.UID)
	case "STORE":
		return ParseStore(r, cmd.UID)
	case "SEARCH":
		return ParseSearch(r, cmd.UID)
	case "SORT":
		return ParseSort(r)
	case "THREAD":
		return ParseThread(r)
	case "APPEND":
		p, err := ParseAppend(r)
		if err != nil {
			return nil, err
		}
		var msgs []string
		for {
			m, err := p.Next()
			if err != nil {
				if err.Error() == "EOF" {
					return msgs, nil
				}
				return nil, err
			}
			var b bytes.Buffer
			if m.Catenate {
				// RFC 4469: the parts, URLs as "URL <url>", TEXT as its bytes.
				b.WriteString("CATENATE")
				for {
					part, err := p.NextPart()
					if err != nil {
						if err.Error() == "EOF" {
							break
						}
						return nil, err
					}
					if part.URL != "" {
						b.WriteString(" URL " + part.URL)
						continue
					}
					b.WriteString(" TEXT ")
					if _, err := b.ReadFrom(part.Body); err != nil {
						return nil, err
					}
				}
			} else if _, err := b.ReadFrom(m.Body); err != nil {
				return nil, err
			}
			msgs = append(msgs, fmt.Sprintf("%v|%v|%s", m.Flags, m.Date.Format("2006-01-02T15:04:05Z0700"), b.String()))
		}
	case "LIST":
		return ParseList(r)
	case "LSUB":
		return ParseLsub(r)
	case "STATUS":
		return ParseStatus(r)
	case "SELECT", "EXAMINE":
		return ParseSelect(r)
	case "CREATE":
		return ParseCreate(r)
	case "ENABLE":
		return ParseEnable(r)
	case "CANCELUPDATE":
		return ParseCancelUpdate(r)
	case "ID":
		return ParseID(r)
	case "SETACL":
		return ParseSetACL(r)
	case "DELETEACL", "LISTRIGHTS":
		a, b, err := ParseMailboxIdentifier(r)
		return []string{a, b}, err
	case "GETACL", "MYRIGHTS", "GETQUOTAROOT", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTA":
		return ParseMailbox(r)
	case "SETQUOTA":
		return ParseSetQuota(r)
	case "GETMETADATA":
		return ParseGetMetadata(r)
	case "SETMETADATA":
		return ParseSetMetadata(r)
	case "COPY", "MOVE":
		return ParseCopy(r, cmd.UID)
	case "EXPUNGE":
		if cmd.UID {
			return ParseUIDExpunge(r)
		}
		return nil, r.EOL()
	case "RENAME":
		a, b, err := ParseRename(r)
		return []string{a, b}, err
	case "LOGIN":
		a, b, err := ParseLogin(r)
		return []string{a, b}, err
	case "AUTHENTICATE":
		return ParseAuthenticate(r)
	}
	return nil, r.EOL()
}

// parseLine reads one command from line and parses it.
func parseLine(t *testing.T, line string) (Command, any, error) {
	t.Helper()
	c := newConn(line+"\r\n", Options{})
	cmd, err := c.r.ReadCommand()
	if err != nil {
		return cmd, nil, err
	}
	v, err := parseAny(c.r, cmd)
	return cmd, v, err
}
