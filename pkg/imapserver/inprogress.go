package imapserver

import (
	"strconv"
	"time"

	"gocyrus/pkg/imapserver/wire"
)

// INPROGRESS (RFC 9585): a command that works through many messages
// tells the client it is alive with
//
//	* OK [INPROGRESS ("tag" done total)] Still working
//
// The first report goes once the command has run progressFirst, the next
// ones at most every progressEvery after that, so a short command never
// sends one. The response code needs no capability or ENABLE: clients
// ignore codes they do not know. Reports come from the loops that visit
// messages one by one: FETCH (both of its paths) and the message-file
// phase of SEARCH, SORT and THREAD (search.Env.Progress). COPY, MOVE,
// STORE and EXPUNGE do their work in one mailbox call and send none.

const (
	progressFirst = time.Second
	progressEvery = 5 * time.Second
)

// progressTiming is the clock of the reports; tests replace it
// (Server.progressTiming) to step time without waiting.
type progressTiming struct {
	now          func() time.Time
	first, every time.Duration
}

var defaultProgressTiming = progressTiming{now: time.Now, first: progressFirst, every: progressEvery}

// cmdProgress is the progress state of the command being run.
type cmdProgress struct {
	tag  string
	next time.Time // no report before this; zero: not started
}

// startProgress begins a command's progress clock (session.execute).
func (s *session) startProgress(tag string) {
	t := s.srv.progress
	s.prog = cmdProgress{tag: tag, next: t.now().Add(t.first)}
}

// progress reports done of total messages when the command has run long
// enough since the last report; the line is flushed at once, as a
// keepalive. total 0 (unknown) is sent as NIL.
func (s *session) progress(done, total int) {
	t := s.srv.progress
	if s.prog.next.IsZero() {
		return
	}
	now := t.now()
	if now.Before(s.prog.next) {
		return
	}
	s.prog.next = now.Add(t.every)
	s.w.StatusResponse("*", wire.OK, inProgressCode(s.prog.tag, done, total), "Still working")
	s.w.Flush()
}

// inProgressCode is RFC 9585's response code:
// "INPROGRESS" SP "(" quoted-tag SP count SP (total / NIL) ")".
func inProgressCode(tag string, done, total int) string {
	b := append([]byte("INPROGRESS ("), wire.AppendQuoted(nil, tag)...)
	b = append(b, ' ')
	b = appendInt(b, done)
	b = append(b, ' ')
	if total > 0 {
		b = appendInt(b, total)
	} else {
		b = append(b, "NIL"...)
	}
	return string(append(b, ')'))
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
