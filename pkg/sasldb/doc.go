// Package sasldb keeps the users of sasl_pwcheck_method auxprop: for each
// userid, salted SCRAM credentials from which every password check is made.
// No plaintext and no reversible secret is stored.
//
// Record (key "P" + userid, JSON): for SCRAM-SHA-256 and SCRAM-SHA-1 the
// salt, iteration count, StoredKey and ServerKey of RFC 5802. A PLAIN or
// LOGIN password is checked by deriving the SCRAM-SHA-256 StoredKey from it
// and comparing in constant time, so the SCRAM keys double as the password
// hash. CRAM-MD5 and APOP need the plaintext and so are not possible for
// these users.
//
// A Cyrus SASL sasldb2 (Berkeley DB hash, read by gocyrus/pkg/bdbhash) is
// carried over by ReadSasldb2 and SetPassword: each userPassword record
// becomes a user here (saslpasswd -i). Its other properties (OTP, SRP
// secrets) have no counterpart and are reported, not converted.
package sasldb
