// Package corpus replays the differential corpus (test/corpus, issue 15):
// the message files are APPENDed to an IMAP server, and a fixed set of
// FETCH, SEARCH and SORT commands is sent for them. The capture tool
// (internal/corpus/capture, run by scripts/capture-dovecot-corpus) records
// Dovecot's replies as transcripts; test/corpus_test.go replays the same
// commands against imapd and compares the answers.
//
// Answers are compared by meaning, not bytes: a string is the same value
// quoted or as a literal, FETCH items may come in any order, and the text
// of the tagged line is free (its status and response code are not). The
// client bounds every reply (maxReply) and the parser bounds list nesting
// (maxDepth), so a server gone wrong fails the test instead of hanging it.
package corpus
