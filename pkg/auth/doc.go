// Package auth authenticates the users of imapd, pop3d, lmtpd and timsieved:
// the server side of the SASL mechanisms, plaintext password checks (IMAP
// LOGIN, POP3 USER/PASS), APOP, and the Cyrus rules that turn a login name
// into a userid and decide who is an administrator.
//
// # Shape
//
// An [Authenticator] is built once per service from a *config.Config (pass
// the service's view, cfg.ForService(name), so that e.g.
// imaps_sasl_mech_list applies). It is safe for concurrent use. Each SASL
// exchange is an [Exchange] from [Authenticator.Start]; the protocol layer
// moves raw bytes between it and the client and owns base64, the "*" cancel
// and line limits.
//
// # Exchange protocol
//
// The first call to Exchange.Next carries the client's initial response
// (SASL-IR, RFC 4959), or nil when the client sent none; an empty initial
// response ("=" in IMAP) is a non-nil empty slice. Next returns the next
// server challenge, or done. A mechanism whose final server message is data
// (SCRAM's "v=...") sends it as a challenge and completes on the client's
// empty reply, which works in every protocol whether or not it can carry
// additional data with success. Any error ends the exchange.
//
// # Password checks (sasl_pwcheck_method)
//
// A space-separated list of methods, tried in order until one accepts:
//
//   - auxprop (also the empty value): the sasldb in the databases
//     (gocyrus/pkg/sasldb). It holds salted SCRAM keys only, so it serves
//     PLAIN, LOGIN and SCRAM-SHA-1/256, never CRAM-MD5 or APOP. A Cyrus
//     SASL sasldb2 (sasl_sasldb_path) is not read at login: New warns when
//     the option is set, and saslpasswd -i converts the file once.
//   - saslauthd: the saslauthd daemon over its unix socket
//     (sasl_saslauthd_path). Plaintext only; SCRAM is not offered unless
//     auxprop is also listed.
//   - alwaystrue: any password is accepted. For test rigs only; New logs a
//     warning.
//
// The auxprop check derives the password with PBKDF2 (the stored SCRAM
// credential's rounds, 4096 by default): most of a POP3 login. Each
// Authenticator remembers, for up to 4096 users, that a password derived
// the credential it was checked against (verified.go): an HMAC of userid
// and password under a key drawn when the process starts, and a digest of
// the credential, never the plaintext. The credential is read from the
// sasldb at every login all the same, so a changed password, a deleted
// user or new rounds is never answered from memory; later login checks
// (userdeny, ACLs) are not affected. Someone who can read the process's
// memory could test guesses at HMAC speed rather than PBKDF2 speed, but
// could as well read the passwords of logins as they arrive.
//
// CRAM-MD5 and APOP need the user's plaintext secret. None of the methods
// above can supply it, so they are offered only when Options.Secrets holds
// a [PlainSecretSource]. No mechanism is ever advertised that cannot succeed.
//
// # saslauthd wire format
//
// Request: four strings — login, password, service, realm — each a 2-byte
// big-endian length followed by that many bytes. Reply: one such string,
// "OK" or "NO" optionally followed by a space and a reason. One request per
// connection; client_timeout bounds the whole exchange. The realm sent is
// always empty: the login is the full canonical userid (as Cyrus sends it),
// and saslauthd -r splits realms itself if wanted.
//
// # Mechanisms offered (Mechanisms, MechanismsFor)
//
//   - Nothing before TLS when tls_required is set.
//   - PLAIN and LOGIN only under TLS unless allowplaintext; CheckPassword
//     follows the same rule (ErrTLSRequired), so imapd advertises
//     LOGINDISABLED exactly when PlaintextAllowed is false.
//   - SCRAM-SHA-256 and SCRAM-SHA-1 when auxprop is a pwcheck method.
//   - CRAM-MD5 with a PlainSecretSource.
//   - EXTERNAL when the TLS peer presented a certificate that verified
//     against the configured client CAs. Its identity is the subject's
//     Common Name, as in Cyrus; when the CN is empty, the first email
//     (rfc822Name) subject alternative name.
//   - ANONYMOUS with allowanonymouslogin; the session is "anonymous".
//   - sasl_mech_list, when set, restricts the set and gives its order.
//
// # Userids
//
// A login name becomes a userid by, in order: refusing empty names,
// control characters and invalid UTF-8; ASCII lower-casing with
// username_tolower; then the domain rules. With virtdomains off, a name
// with '@' is a cross-realm identity: accepted, realm stripped, only when
// the realm is in loginrealms. With virtdomains userid or on, "user%dom"
// becomes "user@dom", the domain is lower-cased and the defaultdomain
// dropped; with on, an unqualified name takes ConnInfo.Domain. The names
// anyone, anybody and group:* never authenticate; "anonymous" only as the
// anonymous identity. The result must pass mboxname.ValidateUserID.
//
// # Administrators and authorization identities
//
// admins entries are canonicalised the same way. An unqualified entry is a
// global administrator; with virtual domains "admin@dom" administers only
// dom (Result.IsAdminFor). An authorization identity different from the
// authentication identity (PLAIN, SCRAM, EXTERNAL) is allowed for a global
// administrator, for a domain administrator within its domain, and for
// users in proxyservers; the session then is the authorized user with that
// user's own admin status.
//
// # Secrets
//
// Passwords never appear in logs or errors. Secrets are compared in
// constant time. Unknown SCRAM users get decoy credentials so that they
// fail at the proof like a wrong password. Every failed authentication
// waits a jittered delay (Options.FailureDelay) before it is reported.
package auth
