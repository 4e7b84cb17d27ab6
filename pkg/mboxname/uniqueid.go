package mboxname

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// UniqueIDLen is the length of the ids NewUniqueID makes (as Cyrus 3).
const UniqueIDLen = 24

const uniqueIDAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// NewUniqueID returns a fresh mailbox uniqueid: 24 characters [a-z0-9] from
// crypto/rand, uniformly distributed.
func NewUniqueID() string {
	id := make([]byte, 0, UniqueIDLen)
	var buf [32]byte
	for len(id) < UniqueIDLen {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
		for _, b := range buf {
			// 252 = 7*36: rejecting larger bytes keeps every letter equally likely.
			if b < 252 && len(id) < UniqueIDLen {
				id = append(id, uniqueIDAlphabet[b%36])
			}
		}
	}
	return string(id)
}

// ValidateUniqueID accepts the ids Cyrus has used: 1 to 64 characters of
// letters, digits and '-' (3.x ids are 24 [a-z0-9], 2.x ids hex).
func ValidateUniqueID(id string) error {
	if id == "" || len(id) > 64 {
		return errors.New("invalid uniqueid: length must be 1 to 64")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("invalid uniqueid %q: character %q", id, c)
		}
	}
	return nil
}
