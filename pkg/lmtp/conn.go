package lmtp

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"gocyrus/pkg/metrics"
	"gocyrus/pkg/procinfo"
)

// maxLineLen bounds a command line and a message line (RFC 5321 allows
// 512 and 1000; MTAs send longer ones, Cyrus accepts them).
const maxLineLen = 64 << 10

var errLineTooLong = errors.New("line too long")

// conn speaks LMTP on one connection.
type conn struct {
	srv       *Server
	nc        net.Conn
	r         *bufio.Reader
	w         *bufio.Writer
	ss        *session
	sessionID string
	proc      *procinfo.Entry // the session's row for cyr_info proc (proc.go)
}

func newConn(s *Server, nc net.Conn, ss *session, sessionID string) *conn {
	return &conn{srv: s, nc: nc, r: bufio.NewReaderSize(nc, 16<<10), w: bufio.NewWriterSize(nc, 4<<10),
		ss: ss, sessionID: sessionID}
}

func (c *conn) reply(r *reply) {
	if r == replyOverQuotaTemp || r == replyOverQuotaPerm {
		metrics.QuotaRefused()
	}
	for _, l := range r.lines() {
		c.w.WriteString(l)
		c.w.WriteString("\r\n")
	}
}

func (c *conn) replyf(code int, enh, format string, a ...any) {
	c.reply(&reply{code: code, enh: enh, text: fmt.Sprintf(format, a...)})
}

// readLine returns the next line without its line end. Pending replies
// are flushed first unless the client has pipelined more input.
func (c *conn) readLine() (string, error) {
	if c.r.Buffered() == 0 {
		if err := c.w.Flush(); err != nil {
			return "", err
		}
	}
	c.nc.SetReadDeadline(time.Now().Add(commandTimeout))
	var line []byte
	for {
		frag, err := c.r.ReadSlice('\n')
		if len(line)+len(frag) > maxLineLen {
			if errors.Is(err, bufio.ErrBufferFull) || err == nil {
				c.skipLine(err == nil)
				return "", errLineTooLong
			}
		}
		line = append(line, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(line), "\r\n"), nil
	}
}

// skipLine discards the rest of an overlong line.
func (c *conn) skipLine(done bool) {
	for !done {
		_, err := c.r.ReadSlice('\n')
		done = !errors.Is(err, bufio.ErrBufferFull)
	}
}

func (c *conn) serve() {
	c.replyf(220, "", "%s", c.srv.greeting)
	for {
		line, err := c.readLine()
		if errors.Is(err, errLineTooLong) {
			c.reply(replyLineTooLong)
			continue
		}
		if err != nil {
			c.w.Flush()
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		name := strings.ToUpper(verb)
		start := time.Now()
		c.procCommand(name)
		goOn := c.command(name, arg)
		c.procCommand("")
		metrics.Command(name, start)
		if !goOn {
			return
		}
	}
}

// command runs one command; false ends the session.
func (c *conn) command(name, arg string) bool {
	switch name {
	case "LHLO":
		c.lhlo(arg)
	case "MAIL":
		c.mail(arg)
	case "RCPT":
		c.rcpt(arg)
	case "DATA":
		if !c.data() {
			return false
		}
	case "RSET":
		c.ss.reset()
		c.sessionID = c.srv.sessions.NewID()
		c.replyf(250, "2.0.0", "Ok SESSIONID=<%s>", c.sessionID)
	case "NOOP":
		c.reply(replyNoop)
	case "VRFY":
		c.reply(replyVrfy)
	case "AUTH":
		if !c.auth(arg) {
			return false
		}
	case "STARTTLS":
		if !c.startTLS() {
			return false
		}
	case "QUIT":
		c.reply(replyBye)
		c.w.Flush()
		return false
	default:
		c.reply(replySyntax)
	}
	return true
}

func (c *conn) lhlo(arg string) {
	if strings.TrimSpace(arg) == "" {
		c.reply(replyBadAddress)
		return
	}
	c.ss.reset()
	lines := []string{c.srv.servername, "8BITMIME", "ENHANCEDSTATUSCODES", "PIPELINING"}
	if c.srv.maxSize > 0 {
		lines = append(lines, fmt.Sprintf("SIZE %d", c.srv.maxSize))
	} else {
		lines = append(lines, "SIZE")
	}
	if c.canStartTLS() {
		lines = append(lines, "STARTTLS")
	}
	if c.ss.authed == nil {
		if mechs := c.ss.AuthMechanisms(); len(mechs) > 0 {
			lines = append(lines, "AUTH "+strings.Join(mechs, " "))
		}
	}
	lines = append(lines, "IGNOREQUOTA", fmt.Sprintf("Ok SESSIONID=<%s>", c.sessionID))
	c.reply(&reply{code: 250, text: strings.Join(lines, "\n")})
}

// parsePath splits `FROM:<addr> PARAMS` (prefix "FROM:" or "TO:").
func parsePath(arg, prefix string) (addr string, params []string, ok bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", nil, false
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	if !strings.HasPrefix(rest, "<") {
		// Cyrus accepts a bare address too.
		addr, tail, _ := strings.Cut(rest, " ")
		return addr, strings.Fields(tail), addr != ""
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", nil, false
	}
	return rest[1:end], strings.Fields(rest[end+1:]), true
}

func (c *conn) mail(arg string) {
	if hasControl(arg) {
		c.reply(replyBadAddress)
		return
	}
	from, params, ok := parsePath(arg, "FROM:")
	if ok {
		from, ok = c.envelopeAddress(from)
	}
	if !ok {
		c.reply(replyBadAddress)
		return
	}
	kv := map[string]string{}
	for _, p := range params {
		k, v, _ := strings.Cut(p, "=")
		kv[strings.ToUpper(k)] = v
	}
	if err := c.ss.mail(from, kv); err != nil {
		c.reply(asReply(err))
		return
	}
	c.reply(replyMailOK)
}

func (c *conn) rcpt(arg string) {
	if !c.ss.inMail {
		c.reply(replyNeedMail)
		return
	}
	if hasControl(arg) {
		c.reply(replyBadAddress)
		return
	}
	to, params, ok := parsePath(arg, "TO:")
	if ok {
		to, ok = c.envelopeAddress(to)
	}
	if !ok {
		c.reply(replyBadAddress)
		return
	}
	ignoreQuota := false
	for _, p := range params {
		if !strings.EqualFold(p, "IGNOREQUOTA") {
			c.reply(replyBadAddress)
			return
		}
		ignoreQuota = true
	}
	if err := c.ss.rcpt(to, ignoreQuota); err != nil {
		c.reply(asReply(err))
		return
	}
	c.reply(replyRcptOK)
}

// hasControl reports whether s holds a control character (NUL, CR, LF,
// TAB, DEL...). RFC 5321 allows none in a path or a parameter, quoted
// local parts included; stored in Return-Path or used as a mailbox name
// they would reach IMAP clients inside literals.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// envelopeAddress applies lmtp_strict_rfc2821 to a MAIL or RCPT address;
// false means refuse it as a syntax error.
func (c *conn) envelopeAddress(addr string) (string, bool) {
	out, ok := applyStrict2821(addr, c.srv.strict2821)
	switch {
	case !ok:
		c.srv.log.Info("refusing an 8-bit local part (lmtp_strict_rfc2821)", "addr", addr)
	case out != addr:
		c.srv.log.Info("8-bit local part rewritten (lmtp_strict_rfc2821: 0)", "addr", addr, "as", out)
	}
	return out, ok
}

// data reads the message into a stage file as it arrives and answers
// once per accepted recipient. It returns false when the connection is
// gone; the stage file then vanishes with nothing stored.
func (c *conn) data() bool {
	// Recipients are checked first, as Cyrus does: DATA without MAIL is
	// "No recipients" too (there are none outside a transaction).
	if len(c.ss.rcpts) == 0 {
		c.reply(replyNoRcpts)
		return true
	}
	// Like Cyrus, the stage file is made before 354: if it cannot be,
	// DATA is refused and the client keeps the message.
	f, err := c.srv.openStageFile(c.ss.rcpts[0].target.Entry.Partition)
	if err != nil {
		c.srv.log.Error("creating a stage file", "err", err)
		c.reply(diskReply(err))
		return true
	}
	defer f.Close()
	c.reply(replyGoAhead)
	if err := c.w.Flush(); err != nil {
		return false
	}
	st, err := c.readData(f)
	if err != nil {
		var we *stageWriteError
		if !errors.As(err, &we) {
			c.srv.log.Info("DATA abandoned", "err", err)
			return false
		}
		// The disk failed, the input was read to its end: answer.
		c.srv.log.Error("writing a stage file", "err", err)
	}
	if err == nil {
		metrics.LMTPReceived(st.size, len(c.ss.rcpts))
	}
	var results []error
	switch {
	case err != nil:
		results = repeat(diskReply(err), len(c.ss.rcpts))
	case st.hasNUL:
		results = repeat(replyNUL, len(c.ss.rcpts))
	case st.tooBig:
		results = repeat(tooBigReply(st.size, c.srv.maxSize), len(c.ss.rcpts))
	default:
		results = c.ss.data(f, st, c.sessionID)
	}
	for _, err := range results {
		metrics.LMTPDelivery(err == nil)
		if err == nil {
			c.replyf(250, "2.1.5", "Success SESSIONID=<%s>", c.sessionID)
		} else {
			c.reply(asReply(err))
		}
	}
	c.ss.reset()
	return true
}

// stageWriteError: the stage file could not be written. The DATA was
// still read to its terminator, so the session can answer and go on.
type stageWriteError struct{ err error }

func (e *stageWriteError) Error() string { return "stage file: " + e.err.Error() }
func (e *stageWriteError) Unwrap() error { return e.err }

// stageWriter passes writes to w until one fails, then drops them and
// remembers the failure: the DATA must still be read to its end.
type stageWriter struct {
	w   io.Writer
	err error
}

func (s *stageWriter) Write(p []byte) (int, error) {
	if s.err == nil {
		_, s.err = s.w.Write(p)
	}
	return len(p), nil
}

// readData copies the DATA section into f (see dataReader), through one
// bounded buffer. An error other than *stageWriteError means the input
// ended or timed out before the terminator.
func (c *conn) readData(f io.Writer) (dataStats, error) {
	bw := bufio.NewWriterSize(f, stageBufSize)
	sw := &stageWriter{w: bw}
	dr := &dataReader{r: c.r, w: sw, max: c.srv.maxSize,
		deadline: func() { c.nc.SetReadDeadline(time.Now().Add(commandTimeout)) }}
	st, err := dr.run()
	if err != nil {
		return st, err
	}
	if sw.err == nil {
		sw.err = bw.Flush()
	}
	if sw.err != nil {
		return st, &stageWriteError{sw.err}
	}
	return st, nil
}

// auth runs AUTH mech [initial-response]. It returns false when the
// connection is gone.
func (c *conn) auth(arg string) bool {
	if c.ss.authed != nil {
		c.reply(replyAlreadyAuthed)
		return true
	}
	if c.ss.inMail {
		c.reply(replyNested)
		return true
	}
	mech, initial, hasInitial := strings.Cut(strings.TrimSpace(arg), " ")
	mech = strings.ToUpper(mech)
	offered := false
	for _, m := range c.ss.AuthMechanisms() {
		offered = offered || m == mech
	}
	if !offered {
		c.reply(replyNoMechanism)
		return true
	}
	srv, err := c.ss.Auth(mech)
	if err != nil {
		c.reply(replyNoMechanism)
		return true
	}
	var resp []byte
	if hasInitial {
		if resp, err = decodeSASL(initial); err != nil {
			c.reply(replyBadAddress)
			return true
		}
	}
	return c.saslLoop(srv, resp)
}

func (c *conn) saslLoop(srv sasl.Server, resp []byte) bool {
	for {
		challenge, done, err := srv.Next(resp)
		if err != nil {
			c.srv.log.Info("authentication failed", "err", err)
			c.reply(replyAuthFailed)
			return true
		}
		if done {
			c.reply(replyAuthOK)
			c.ss.reset()
			return true
		}
		c.replyf(334, "", "%s", base64.StdEncoding.EncodeToString(challenge))
		line, err := c.readLine()
		if err != nil {
			return false
		}
		if line == "*" {
			c.reply(replyAuthCanceled)
			return true
		}
		if resp, err = decodeSASL(line); err != nil {
			c.reply(replyBadAddress)
			return true
		}
	}
}

// decodeSASL decodes a base64 response; "=" is an empty one.
func decodeSASL(s string) ([]byte, error) {
	if s == "=" {
		return []byte{}, nil
	}
	return base64.StdEncoding.DecodeString(s)
}

func asReply(err error) *reply {
	var r *reply
	if errors.As(err, &r) {
		return r
	}
	return replyTempFail
}
