// Package tlsconf builds the server side TLS configuration every daemon
// shares from imapd.conf: tls_server_cert, tls_server_key, tls_versions,
// tls_client_ca_file, tls_client_ca_dir, tls_client_certs and
// tls_session_timeout (with the usual <service>_ overrides applied by the
// caller's config view).
//
// Invariants:
//   - [FromConfig] returns a nil configuration (and no error) when no
//     certificate is configured; a daemon then does not offer STARTTLS/STLS.
//     A certificate that does not load is an error, never
//     a silent fallback to plaintext.
//   - Session resumption uses stateless tickets that carry the time they
//     were issued; a ticket older than tls_session_timeout (at most 24h, as
//     in Cyrus) is refused. There is no tls_sessions.db and nothing for
//     tls_prune to do.
//   - Every server-side handshake goes through [Handshake], bounded by
//     [HandshakeTimeout] and the session's context, so a peer that stalls
//     mid-handshake holds a connection slot for a bounded time only.
package tlsconf
