package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// stats is what Cyrus's squat backend logs per mailbox and in total.
type stats struct {
	messages   int
	bytes      int64 // the indexed messages' sizes
	indexBytes int64 // the index file's size after the run
	seconds    time.Duration
}

func (s *stats) add(o stats) {
	s.messages += o.messages
	s.bytes += o.bytes
	s.indexBytes += o.indexBytes
	s.seconds += o.seconds
}

// String is the rest of Cyrus's "squat: <mailbox> indexed ..." line.
func (s stats) String() string {
	return fmt.Sprintf("indexed %d messages (%d bytes) into %d index bytes in %d seconds",
		s.messages, s.bytes, s.indexBytes, int64(s.seconds/time.Second))
}

// syslogLines writes the lines Cyrus's squatter logs, as they reach its
// standard error (it logs with LOG_PERROR): "<prefix>/squatter[pid]: msg",
// the prefix syslog_prefix, else "cyrus" (test/compat/fixtures/squatter-verbose.txt).
type syslogLines struct {
	w     io.Writer
	ident string
}

func newSyslogLines(w io.Writer, prefix, program string) *syslogLines {
	if prefix == "" {
		prefix = "cyrus"
	}
	return &syslogLines{w: w, ident: fmt.Sprintf("%s/%s[%d]: ", prefix, program, os.Getpid())}
}

func (l *syslogLines) printf(format string, a ...any) {
	fmt.Fprintf(l.w, l.ident+format+"\n", a...)
}
