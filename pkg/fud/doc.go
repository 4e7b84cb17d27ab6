// Package fud answers Cyrus's "finger" new-mail queries (fud(8)): one UDP datagram
// "user|mailbox" asks when user last read mailbox, when mail last arrived in it and how many
// messages arrived since the user last looked; the answer is one datagram
// "user|mailbox|numrecent|lastread|lastarrived" (times in seconds since the epoch), or
// "UNKNOWN" or "PERMDENY" each followed by a NUL byte, as Cyrus's fud sends them.
//
// # Invariants
//
//   - Read only: a query changes nothing on disk (the mailbox is opened through pkg/store and
//     only a snapshot of its index is read; seen state is read, never claimed).
//   - The mailbox name is taken relative to the user as an admin's would be (INBOX is the
//     user's INBOX, user.x names are accepted), as Cyrus's fud does.
//   - A personal mailbox (user.*) answers only when its ACL grants "anonymous" the user-defined
//     right 0; any other mailbox answers to anyone. A missing or deleted mailbox, a bad name and
//     a server error all answer UNKNOWN: the querying host learns nothing more.
//   - Each datagram is answered on its own: a malformed one (no '|') gets no answer, as in
//     Cyrus; a datagram is read into a fixed 512-byte buffer, so memory stays bounded.
package fud
