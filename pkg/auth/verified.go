package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"sync"

	"gocyrus/pkg/sasldb"
)

// verifiedCacheSize bounds the users whose last good password a process
// remembers (about 100 bytes each).
const verifiedCacheSize = 4096

// verifiedCache remembers, per userid, that a password derived the sasldb
// credential it was checked against, so that the next plaintext login of
// that user with that password skips the PBKDF2 derivation (4096 rounds,
// the bulk of a POP3 login). It keeps no plaintext: only an HMAC of the
// password under a key drawn at random when the process starts, and a
// digest of the credential. The credential is read from the sasldb at
// every login all the same, so a changed password (new salt and keys), a
// deleted user (no record) or a changed iteration count is never answered
// from here; userdeny and the other login checks run after this one as
// before.
type verifiedCache struct {
	mu      sync.Mutex
	key     [32]byte
	entries map[string]verifiedEntry
	max     int
}

type verifiedEntry struct {
	cred [32]byte // credDigest of the credential the password derived
	tag  [32]byte // passwordTag of the password
}

func newVerifiedCache(max int) *verifiedCache {
	c := &verifiedCache{entries: map[string]verifiedEntry{}, max: max}
	if _, err := rand.Read(c.key[:]); err != nil {
		// crypto/rand does not fail on Linux; without a key, cache nothing.
		c.max = 0
	}
	return c
}

// credDigest identifies a stored credential: salt, rounds and keys.
func credDigest(c sasldb.Credential) [32]byte {
	h := sha256.New()
	var n [8]byte
	for _, b := range [][]byte{c.Salt, c.StoredKey, c.ServerKey} {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	binary.BigEndian.PutUint64(n[:], uint64(c.Iters))
	h.Write(n[:])
	var d [32]byte
	h.Sum(d[:0])
	return d
}

func (v *verifiedCache) passwordTag(userid, password string) [32]byte {
	m := hmac.New(sha256.New, v.key[:])
	m.Write([]byte(userid))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var t [32]byte
	m.Sum(t[:0])
	return t
}

// known reports whether password was seen to derive c for userid.
func (v *verifiedCache) known(userid, password string, c sasldb.Credential) bool {
	if v.max == 0 {
		return false
	}
	v.mu.Lock()
	e, ok := v.entries[userid]
	v.mu.Unlock()
	if !ok || e.cred != credDigest(c) {
		return false
	}
	tag := v.passwordTag(userid, password)
	return hmac.Equal(tag[:], e.tag[:])
}

// remember records that password derived c for userid.
func (v *verifiedCache) remember(userid, password string, c sasldb.Credential) {
	if v.max == 0 {
		return
	}
	e := verifiedEntry{cred: credDigest(c), tag: v.passwordTag(userid, password)}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.entries[userid]; !ok && len(v.entries) >= v.max {
		for k := range v.entries { // any one: map order is random
			delete(v.entries, k)
			break
		}
	}
	v.entries[userid] = e
}

// forget drops userid (no longer in the sasldb).
func (v *verifiedCache) forget(userid string) {
	v.mu.Lock()
	delete(v.entries, userid)
	v.mu.Unlock()
}
