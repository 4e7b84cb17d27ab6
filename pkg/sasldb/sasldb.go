package sasldb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/xdg-go/scram"

	"gocyrus/pkg/cyrusdb"
)

// Mechanism names of the stored credentials.
const (
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA1   = "SCRAM-SHA-1"
)

// Iterations is the PBKDF2 iteration count of new credentials (RFC 7677's minimum).
const Iterations = 4096

var (
	// ErrNoUser: no such user in the sasldb.
	ErrNoUser = errors.New("user not found")
	// ErrBadUser: the userid cannot be stored.
	ErrBadUser = errors.New("invalid userid")
)

// Credential is one mechanism's stored SCRAM keys.
type Credential struct {
	Salt      []byte `json:"salt"`
	Iters     int    `json:"iters"`
	StoredKey []byte `json:"stored_key"`
	ServerKey []byte `json:"server_key"`
}

type record struct {
	Creds map[string]Credential `json:"creds"`
}

// Store is the sasldb in the databases.
type Store struct {
	db cyrusdb.DB
}

// New returns the sasldb kept in db.
func New(db cyrusdb.DB) *Store { return &Store{db: db} }

func key(user string) []byte { return append([]byte(cyrusdb.PrefixSASL), user...) }

func checkUser(user string) error {
	if user == "" || len(user) > 255 || strings.ContainsAny(user, "\x00\r\n\t ") {
		return fmt.Errorf("%w: %q", ErrBadUser, user)
	}
	return nil
}

func derive(hash scram.HashGeneratorFcn, user, password string, salt []byte, iters int) (Credential, error) {
	client, err := hash.NewClient(user, password, "")
	if err != nil {
		return Credential{}, err
	}
	sc := client.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: iters})
	return Credential{Salt: salt, Iters: iters, StoredKey: sc.StoredKey, ServerKey: sc.ServerKey}, nil
}

func newRecord(user, password string) (*record, error) {
	rec := &record{Creds: map[string]Credential{}}
	for mech, hash := range map[string]scram.HashGeneratorFcn{ScramSHA256: scram.SHA256, ScramSHA1: scram.SHA1} {
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return nil, err
		}
		c, err := derive(hash, user, password, salt, Iterations)
		if err != nil {
			return nil, fmt.Errorf("sasldb: %s: %w", mech, err)
		}
		rec.Creds[mech] = c
	}
	return rec, nil
}

// SetPassword stores new credentials for user. With create false the user
// must already exist (saslpasswd without -c).
func (s *Store) SetPassword(ctx context.Context, user, password string, create bool) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if password == "" {
		return errors.New("sasldb: empty password")
	}
	rec, err := newRecord(user, password)
	if err != nil {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	var conds []cyrusdb.Cond
	if !create {
		conds = []cyrusdb.Cond{{Key: key(user), Exists: true}}
	}
	err = s.db.Txn(ctx, conds, []cyrusdb.Op{cyrusdb.Put{Key: key(user), Val: b}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return fmt.Errorf("%w: %s", ErrNoUser, user)
	}
	return err
}

// Delete removes user.
func (s *Store) Delete(ctx context.Context, user string) error {
	err := s.db.Txn(ctx, []cyrusdb.Cond{{Key: key(user), Exists: true}}, []cyrusdb.Op{cyrusdb.Delete{Key: key(user)}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return fmt.Errorf("%w: %s", ErrNoUser, user)
	}
	return err
}

func (s *Store) load(ctx context.Context, user string) (*record, error) {
	b, _, err := s.db.Get(ctx, key(user))
	if errors.Is(err, cyrusdb.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoUser, user)
	}
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("sasldb: record of %s is damaged: %w", user, err)
	}
	return &rec, nil
}

// Credential returns user's stored keys for a SCRAM mechanism.
func (s *Store) Credential(ctx context.Context, user, mech string) (Credential, error) {
	rec, err := s.load(ctx, user)
	if err != nil {
		return Credential{}, err
	}
	c, ok := rec.Creds[mech]
	if !ok {
		return Credential{}, fmt.Errorf("sasldb: %s has no %s credentials", user, mech)
	}
	return c, nil
}

// Verify checks a plaintext password. An unknown user is (false, nil), so
// callers cannot tell the two failures apart by accident.
func (s *Store) Verify(ctx context.Context, user, password string) (bool, error) {
	rec, err := s.load(ctx, user)
	if errors.Is(err, ErrNoUser) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c, ok := rec.Creds[ScramSHA256]
	if !ok {
		return false, fmt.Errorf("sasldb: %s has no %s credentials", user, ScramSHA256)
	}
	return c.Matches(user, password), nil
}

// Matches reports whether password derives c, a SCRAM-SHA-256 credential
// of user: the PBKDF2 derivation of c.Iters rounds a plaintext check costs.
func (c Credential) Matches(user, password string) bool {
	got, err := derive(scram.SHA256, user, password, c.Salt, c.Iters)
	if err != nil {
		return false // e.g. a password SASLprep rejects
	}
	return subtle.ConstantTimeCompare(got.StoredKey, c.StoredKey) == 1
}

// Users lists the stored userids in order.
func (s *Store) Users(ctx context.Context) ([]string, error) {
	var users []string
	err := s.db.Scan(ctx, []byte(cyrusdb.PrefixSASL), func(k, _ []byte, _ uint64) error {
		users = append(users, string(k[len(cyrusdb.PrefixSASL):]))
		return nil
	})
	return users, err
}
