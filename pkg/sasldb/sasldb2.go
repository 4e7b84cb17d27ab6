package sasldb

import (
	"bytes"
	"fmt"
	"sort"

	"gocyrus/pkg/bdbhash"
)

// PropPassword is the property Cyrus SASL's saslpasswd2 stores a user's
// plaintext password under.
const PropPassword = "userPassword"

// Sasldb2Record is one record of a Cyrus SASL sasldb2: the key is
// user NUL realm NUL property, the data the property's value.
type Sasldb2Record struct {
	User, Realm, Prop string
	Value             string
}

// Login is the name the record's user logs in with: the bare user when
// the realm is localRealm (the realm Cyrus SASL gives an unqualified login,
// the server's name unless configured), user@realm otherwise.
func (r Sasldb2Record) Login(localRealm string) string {
	if r.Realm == "" || r.Realm == localRealm {
		return r.User
	}
	return r.User + "@" + r.Realm
}

// ReadSasldb2 reads every record of the Berkeley DB sasldb2 at path, in
// user, realm, property order. A key not of the user NUL realm NUL
// property shape is an error naming it.
func ReadSasldb2(path string) ([]Sasldb2Record, error) {
	db, err := bdbhash.Open(path)
	if err != nil {
		return nil, err
	}
	var recs []Sasldb2Record
	err = db.Walk(func(k, v []byte) error {
		parts := bytes.Split(k, []byte{0})
		if len(parts) != 3 || len(parts[0]) == 0 || len(parts[2]) == 0 {
			return fmt.Errorf("%s: %w: key %q is not user NUL realm NUL property", path, bdbhash.ErrFormat, k)
		}
		recs = append(recs, Sasldb2Record{User: string(parts[0]), Realm: string(parts[1]), Prop: string(parts[2]), Value: string(v)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sort.Slice(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.User != b.User {
			return a.User < b.User
		}
		if a.Realm != b.Realm {
			return a.Realm < b.Realm
		}
		return a.Prop < b.Prop
	})
	return recs, nil
}
