// Package sieve compiles and runs Sieve mail filters (RFC 5228) with the
// extensions Cyrus users rely on: fileinto, reject/ereject (RFC 5429),
// vacation and vacation-seconds (RFC 5230, 6131), envelope,
// encoded-character, imap4flags (RFC 5232), variables (RFC 5229), body
// (RFC 5173), relational (RFC 5231), subaddress (RFC 5233), copy (RFC
// 3894), regex (draft-ietf-sieve-regex), date and index (RFC 5260),
// mailbox (RFC 5490), include (RFC 6609), duplicate (RFC 7352),
// editheader (RFC 5293) and enotify (RFC 5435) with the mailto method
// (RFC 5436).
//
// It is an interpreter, not a protocol: it imports no server package.
// lmtpd compiles a user's script with Compile (caching the *Script), runs
// it per recipient with Script.Run and carries out the returned actions;
// timsieved uses Compile to refuse scripts that do not compile.
//
// Invariants:
//   - A *Script is immutable after Compile; any number of Run calls may
//     use it concurrently. All per-run state lives in Run.
//   - Compile never panics and reports the first error as *Error with a
//     1-based line and column (columns count characters).
//   - Run is bounded: at most Env.MaxActions actions, 200000 evaluated
//     commands/tests, variables of at most 64 KiB, Env.MaxBodySize bytes
//     of body read, regular expressions of at most 8 KiB (Go's RE2 engine,
//     linear time), and ctx is checked while running. There are no loops
//     in Sieve, so this bounds time and memory.
//   - Included scripts are loaded once, at Compile, through
//     Options.Include; a missing or broken included script is an error only
//     if the include runs (RFC 6609), and include loops are detected then.
//
// Division of labour with the delivery agent (lmtpd):
//   - Actions are returned, never performed. fileinto names are passed
//     through as written (the agent maps them to the user's namespace and
//     checks rights); keep means INBOX. Repeated keep/fileinto to the same
//     name and redirects to the same address are merged here; the agent
//     merges keep with fileinto "INBOX" after namespace translation.
//   - Implicit keep follows RFC 5228 §2.10.2 and is returned as a Keep
//     action carrying the current imap4flags.
//   - reject/ereject conflict with keep, fileinto, redirect and vacation:
//     Run fails. On any run-time error Run returns the error and a Result
//     holding only Keep; the agent delivers to INBOX with $SieveFailed.
//   - Vacation: Run applies the RFC 5230 §4.5 "do not reply" rules
//     (CanAutoReply: null or automated sender, Auto-Submitted, list
//     headers, user not addressed) and then asks Env.Duplicate with
//     VacationID(handle, sender) and the period; only if both allow it is a
//     Vacation action returned. The agent builds the reply (From, To,
//     Subject, In-Reply-To, Auto-Submitted: auto-replied) and sends it,
//     clamping the period to sieve_vacation_min/max_response if it wishes
//     before recording.
//   - duplicate asks Env.Duplicate (or Env.DuplicateLast for :last) with
//     DuplicateID(handle, id).
//   - editheader: AddHeader/DeleteHeader actions are listed in execution
//     order and already applied to the header view later tests see; the
//     agent replays them on the stored copy. Received and Auto-Submitted
//     are protected and never edited.
//   - redirect loop prevention (e.g. a marker header) is the agent's job.
//   - enotify: a constant method URI that is not a valid mailto: URI is a
//     compile error, a computed one a run-time error. Notify actions to
//     the same URI are merged (the first wins); they never cancel the
//     implicit keep. The agent composes and sends the mail (RFC 5436) and
//     applies the mailto method's rules: nothing about Auto-Submitted
//     messages, nothing to the recipient's own address.
package sieve
