// Package search evaluates IMAP SEARCH programs (RFC 3501 §6.4.4 with
// CONDSTORE's MODSEQ, WITHIN's OLDER/YOUNGER and SEARCHRES's $) over the
// messages of a mailbox view, and orders and threads them for SORT and
// THREAD (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO).
//
// # Evaluation
//
// Match evaluates the whole candidate list in three passes, each with more
// data at hand than the one before; a key that needs data not yet loaded
// answers "maybe" (three-valued logic), and only candidates still undecided
// go on to the next pass:
//
//  1. index: flags, sizes, dates, sequence numbers, UIDs, modseqs — from the
//     Candidate alone;
//  2. cache: header keys on the header fields kept in cyrus.cache, read in
//     large chunks with View.ForEachCached (no message file is opened).
//     When the program needs nothing from the cache but the envelope
//     (SUBJECT with a needle, SENTBEFORE/ON/SINCE) only the envelope is
//     decoded. On a large mailbox (parallelMin undecided messages a
//     worker) the pass is split among up to GOMAXPROCS (at most
//     maxWorkers) goroutines, each walking a contiguous share: the only
//     state they share is the result slice, written at distinct indexes,
//     so answers do not depend on the split; the first failure cancels the
//     other workers;
//  3. file: header fields the cache does not keep, BODY and TEXT — the
//     message file is opened through Candidate.Open. BODY streams it
//     (body.go, foldmatch.go): parts are decoded and case-folded as they
//     are read and a needle split between two reads still matches, so
//     memory does not grow with the message. A message whose file is
//     missing or not a regular file matches nothing (as in Cyrus); other
//     read errors fail the search.
//
// With a full-text index (Env.TextIndex, squatter's), a BODY or TEXT key
// answers "no" already in the index pass for a message the index covers
// and whose grams lack one of the needle's (grams.go); every other
// message goes through the passes above, so results do not depend on the
// index. IndexGrams is the one reading of what the index holds.
//
// Children of AND/OR are ordered cheapest first so short-circuiting saves
// the expensive work. The context is checked between messages.
//
// # Matching rules
//
// String keys are case-insensitive substring matches on decoded text:
// header values are unfolded and RFC 2047 words decoded by pkg/msgheader,
// as Sieve and ENVELOPE see them (address headers match on the whole
// decoded field text); BODY searches the text/* parts
// and the headers and text of embedded messages, after undoing the
// transfer encoding and converting the charset to UTF-8. An empty string
// matches any message that has the field (HEADER, FROM, ...) or any message
// at all (BODY, TEXT).
//
// BEFORE/ON/SINCE compare the calendar day of the internal date in its own
// time zone; SENTBEFORE/SENTON/SENTSINCE the day of the Date: header in the
// header's own zone, falling back to the internal date when the header is
// missing or unparsable. Times are ignored. SAVEDBEFORE/SAVEDON/SAVEDSINCE
// (RFC 8514) compare the UTC day of the save date, the internal date's for
// a record without one; SAVEDATESUPPORTED matches every message. EMAILID
// (RFC 8474) matches Cyrus's "M" + 24 lower-case hex digits of the GUID
// exactly, any other id nothing (as in Cyrus: no error); THREADID matches
// nothing, as no message has a thread id (objdata.go).
//
// In sequence sets "*" is the highest sequence number or UID (Env.MaxSeq,
// Env.MaxUID) and "$" the saved search result (Env.Saved, as UIDs).
//
// # SORT and THREAD
//
// Sort orders by RFC 5256 keys with i;ascii-casemap comparisons, DATE by the
// sent date falling back to the internal date, and breaks ties by sequence
// number. Thread implements ORDEREDSUBJECT and REFERENCES exactly as
// RFC 5256 §3 describes them, with BaseSubject (§2.1) for subject grouping.
package search
