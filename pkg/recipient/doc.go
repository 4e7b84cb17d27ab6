// Package recipient is the one reading of a recipient address the way
// Cyrus's lmtpd reads it (docs/CYRUS-BEHAVIOUR.md §5.2): "user",
// "user+detail", "user@domain" (the domain kept only with virtdomains and
// when it is not defaultdomain), and the shared-folder forms "+board" and
// "<postuser>+board". lmtpd (pkg/lmtp) and smmapd (pkg/smmap) both use it,
// so the MTA's address check and the delivery agree on what an address
// names. It only splits the address; what exists and who may post is the
// caller's question, answered through pkg/store.
package recipient
