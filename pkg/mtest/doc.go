// Package mtest is the one implementation behind Cyrus's protocol test
// clients imtest, pop3test, lmtptest and sivtest: connect, optionally
// start TLS (-t, STARTTLS; -s, TLS from the first byte), authenticate
// (-m, -a, -u, -w) echoing the exchange as "C: " and "S: " lines, print
// "Authenticated." and the security strength factor, then pass standard
// input to the server and the server's lines to standard output until
// either side ends; at the end of standard input the protocol's logout
// command is sent and the server's answer read.
//
// What differs between the protocols is one Protocol value each (the
// table in protocols.go): default ports, how a response ends, how a
// continuation looks, the capability, STARTTLS, AUTHENTICATE and
// plaintext-login commands. Mechanisms: PLAIN (SASL-IR when offered, or
// after the server's empty challenge) and "login", which is Cyrus's name
// for the protocol's own plaintext login (IMAP LOGIN, POP3 USER/PASS).
//
// Like Cyrus's clients, the server's certificate is not verified (these
// are diagnostic tools); -v prints its subject.
//
// Bounds: a server line longer than MaxLine ends the session with an
// error; every wait is bounded by Options.Timeout.
package mtest
