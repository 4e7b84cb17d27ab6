// Package maildir reads Maildir folders as Dovecot, mbsync, Courier and
// qmail write them: the messages of cur/ and new/, their flags from the
// ":2," info suffix (D draft, F flagged, R replied, S seen, T trashed;
// Dovecot's keyword letters a–z through dovecot-keywords), and Dovecot's
// UIDs from dovecot-uidlist (versions 1 and 3) when present.
//
// UIDs: a message the uidlist names keeps its UID; the others (no
// uidlist, or delivered after it was written) get UIDs after the highest
// one in use, in the order of their names (which begin with the delivery
// time). A UID the list gives twice keeps its first message; the later
// ones are renumbered too and counted in Folder.Renumbered.
//
// The internal date is the file's modification time (Dovecot's received
// date). Message text is the file as it is (LF line ends as written).
//
// Memory (issue 16): UIDs follow the sorted basenames, so every name is
// held at once, but only packed: one byte arena of the names and a
// fixed 32-byte record a file (flags, keyword letters as a bit set,
// mtime, UID), listed a batch of directory entries at a time and
// numbered by in-place sorts. A Message with its path and keyword
// strings exists only while Folder.Each hands it out. The floor is
// about the name's length plus 32 bytes a message (plus append's
// growth slack); dovecot-uidlist, when present, is a map of its names.
package maildir
