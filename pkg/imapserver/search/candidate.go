package search

import (
	"os"
	"time"

	"gocyrus/pkg/mailbox"
)

// Candidate is one message a search, sort or thread considers.
type Candidate struct {
	Seq, UID uint32
	// Flags are the message's flags as the session reports them (\Seen,
	// \Recent, keywords); compared case-insensitively.
	Flags  []string
	Record mailbox.Record
	View   *mailbox.View
	// Open returns the raw message. It is called only for BODY and TEXT
	// keys and for HEADER keys on fields the cache does not keep.
	Open func() (*os.File, error)
}

// Env is the session state a search program refers to.
type Env struct {
	Saved  []uint32 // the saved result "$" (SEARCHRES), as UIDs
	MaxSeq uint32   // what "*" means in a sequence-number set
	MaxUID uint32   // what "*" means in a UID set
	Now    time.Time
	// Progress, when set, is told how many of the messages whose file
	// must be read have been (done of total), before each one: the
	// session's INPROGRESS reports (RFC 9585).
	Progress func(done, total int)
	// TextIndex, when set, is asked once, when the program has a BODY or
	// TEXT key long enough to use one, for the mailbox's full-text index
	// (nil: none). Messages it covers and rules out are not read;
	// results are the same with or without it (grams.go).
	TextIndex func() TextIndex
}
