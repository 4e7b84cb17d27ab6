package mailbox

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrCorrupt marks a damaged mailbox: a bad checksum, a short file, an
	// impossible value. The mailbox is left untouched for Reconstruct.
	ErrCorrupt = errors.New("mailbox corrupt")
	// ErrNotFound: the directory holds no mailbox.
	ErrNotFound = errors.New("mailbox not found")
	// ErrExists: Create found a mailbox already there.
	ErrExists = errors.New("mailbox already exists")
	// ErrNoUIDValidity: a new UIDVALIDITY was needed and the caller gave
	// none (Create's Header, ReconstructOptions.NewUIDValidity).
	ErrNoUIDValidity = errors.New("no UIDVALIDITY given for a new mailbox index")
	// ErrOverQuota is what a QuotaHook refusal must wrap.
	ErrOverQuota = errors.New("over quota")
	// ErrTooManyKeywords: the mailbox already defines MaxKeywords keywords.
	ErrTooManyKeywords = errors.New("too many keywords in mailbox")
	// ErrNoSuchMessage: a UID names no live message.
	ErrNoSuchMessage = errors.New("no such message")
	// ErrClosed: the Mailbox was closed.
	ErrClosed = errors.New("mailbox closed")
	// ErrNUL: the message holds NUL bytes, which IMAP cannot serve in an
	// ordinary literal (RFC 3501 §4.3); only SpoolLimits.AllowNUL lets
	// them through.
	ErrNUL = errors.New("message contains NUL characters")
	// ErrNotStorable: a binary message EncodeBinary cannot rewrite (a
	// header block or MIME nesting over its bounds).
	ErrNotStorable = errors.New("message cannot be stored")
	// ErrEmpty: a zero-length message.
	ErrEmpty = errors.New("zero-length message")
	// ErrTooLarge: the message, line ends converted, exceeds
	// SpoolLimits.MaxSize (or what RFC822.SIZE can describe).
	ErrTooLarge = errors.New("message too large")
)

// CorruptError names the damaged mailbox, the file and what is wrong with it.
// It wraps ErrCorrupt.
type CorruptError struct {
	Mailbox string // mailbox name when known, else the directory
	File    string // base name, e.g. "cyrus.index"
	Detail  string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("mailbox %s: %s corrupt: %s (run reconstruct)", e.Mailbox, e.File, e.Detail)
}

func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// formatError is what decoders return; the Mailbox turns it into a
// CorruptError once it knows the mailbox's name.
type formatError struct {
	file   string
	detail string
}

func (e *formatError) Error() string { return e.file + ": " + e.detail }
func (e *formatError) Unwrap() error { return ErrCorrupt }

func corruptf(file, format string, args ...any) error {
	return &formatError{file: file, detail: fmt.Sprintf(format, args...)}
}

// nameCorrupt attaches the mailbox name to a decoder error.
func nameCorrupt(mailbox string, err error) error {
	var fe *formatError
	if errors.As(err, &fe) {
		return &CorruptError{Mailbox: mailbox, File: fe.file, Detail: fe.detail}
	}
	return err
}
