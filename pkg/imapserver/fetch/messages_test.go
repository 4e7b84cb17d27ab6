package fetch

import "strings"

// crlf turns a readable "\n" text into the CRLF form the store keeps.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// rfc3501Message is the message of RFC 3501 §7.4.2's example response.
var rfc3501Header = crlf(`Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
From: Terry Gray <gray@cac.washington.edu>
Subject: IMAP4rev1 WG mtg summary and minutes
To: imap@cac.washington.edu
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>
Message-Id: <B27397-0100000@cac.washington.edu>
MIME-Version: 1.0
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII

`)

var rfc3501Body = crlf("The meeting went well.\nMinutes follow.\n")

var rfc3501Message = rfc3501Header + rfc3501Body

// The parts of nestedMessage, by IMAP part number.
var (
	part1MIME  = crlf("Content-Type: text/plain; charset=us-ascii\n\n")
	part1      = crlf("Plain part one.\n")
	part21MIME = crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
	part21     = crlf("Caf=C3=A9 au lait, long line =\nsoft-broken, trailing blanks   \n=3D sign, bad =ZZ escape=\n")
	bin21      = "Café au lait, long line soft-broken, trailing blanks\r\n= sign, bad =ZZ escape"
	part22MIME = crlf("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: BASE64\n\n")
	part22     = crlf("PGI+aGk8L2I+\n")
	bin22      = "<b>hi</b>"
	part2      = crlf("--alt\n") + part21MIME + part21 + crlf("\n--alt\n") + part22MIME + part22 + crlf("\n--alt--\n")
	part2MIME  = crlf("Content-Type: multipart/alternative; boundary=alt\n\n")

	innerHeader = crlf("From: Inner Person <inner@example.net>\nSubject: forwarded\nDate: Tue, 1 Feb 2022 10:00:00 +0000\n" +
		"Content-Type: multipart/mixed; boundary=\"in\"\n\n")
	part31MIME = crlf("\n")
	part31     = crlf("Inner text, default type.\n")
	part32MIME = crlf("Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n")
	part32     = crlf("AAEC/w==\n")
	bin32      = "\x00\x01\x02\xff"
	innerBody  = crlf("preamble\n--in\n") + part31MIME + part31 + crlf("\n--in\n") + part32MIME + part32 + crlf("\n--in--\n")
	part3      = innerHeader + innerBody
	part3MIME  = crlf("Content-Type: message/rfc822\n\n")

	part4MIME = crlf("Content-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\n")
	part4     = crlf("begin 644 x\n`\nend\n")

	nestedHeader = crlf("From: Fred Foo <fred@example.com>\nTo: bob@example.org\nSubject: nested\n" +
		"Date: Mon, 2 Jan 2006 15:04:05 -0700\nMessage-ID: <nested@example.com>\nX-Extra: yes\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"outer\"\n\n")
	nestedBody = crlf("This is the preamble.\n--outer\n") + part1MIME + part1 +
		crlf("\n--outer\n") + part2MIME + part2 +
		crlf("\n--outer\n") + part3MIME + part3 +
		crlf("\n--outer\n") + part4MIME + part4 +
		crlf("\n--outer--\nepilogue\n")
	nestedMessage = nestedHeader + nestedBody
)

// malformedMessages must be answered sensibly, never with a panic. (A
// zero-length message cannot be appended any more: mailbox.ErrEmpty.)
var malformedMessages = []string{
	"\r\n",
	"no header at all, no blank line",
	"Subject: x\r\n\r\n",
	crlf("Content-Type: multipart/mixed\n\nno boundary parameter\n"),
	crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nunterminated part\n"),
	crlf("Content-Type: multipart/mixed; boundary=b\n\n--b--\n"),
	crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b\n--b--"),
	crlf("Content-Type: message/rfc822\n\nSubject: inner\n\ninner body"),
	crlf("Content-Type: message/rfc822\n\n"),
	crlf("Content-Type: text/plain; charset=\"unterminated\n\nbody\n"),
	crlf(" leading continuation\nSubject: y\n\nbody"),
	"Subject: bare LF\n\nbody\n",
	crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n"),
}
