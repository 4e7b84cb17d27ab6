package sievescripts

import (
	"errors"
	"io/fs"
)

// Errors, to be tested with errors.Is.
var (
	// ErrInvalidName: a script name ValidateName refuses.
	ErrInvalidName = errors.New("invalid script name")
	// ErrNotFound: no script of that name. It also matches fs.ErrNotExist,
	// which is how pkg/sieve's include recognises a missing script.
	ErrNotFound error = notFoundError{}
	// ErrExists: the new name of a rename is taken.
	ErrExists = errors.New("script already exists")
	// ErrActive: the active script cannot be deleted.
	ErrActive = errors.New("active script cannot be deleted")
	// ErrNoActive: the user has no active script.
	ErrNoActive = errors.New("no active script")
	// ErrTooManyScripts: storing one more script would exceed MaxScripts.
	ErrTooManyScripts = errors.New("too many scripts")
	// ErrTooLarge: the script is longer than MaxSize.
	ErrTooLarge = errors.New("script too large")
	// ErrHomeDir: with sieveusehomedir scripts live in ~user/.sieve and are
	// not managed through this store.
	ErrHomeDir = errors.New("sieveusehomedir is set: scripts are read from ~user/.sieve and cannot be managed")
	// ErrInvalidUser: a userid that cannot name a script directory.
	ErrInvalidUser = errors.New("invalid userid")
)

type notFoundError struct{}

func (notFoundError) Error() string        { return "script does not exist" }
func (notFoundError) Is(target error) bool { return target == fs.ErrNotExist }
