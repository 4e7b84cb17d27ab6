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
package sasldb
