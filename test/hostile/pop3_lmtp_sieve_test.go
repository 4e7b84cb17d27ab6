package hostile

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// ---- POP3 ----

var pop3Final = regexp.MustCompile(`^[-+]`)

// pop3Session dials pop3d; setup "login" logs alice in.
func pop3Session(t *testing.T, addr, setup string) *client {
	t.Helper()
	c := dial(t, addr)
	c.expectPrefix("+OK")
	if setup == "login" {
		c.send("USER alice\r\n")
		c.expectPrefix("+OK")
		c.send("PASS secret\r\n")
		c.expectPrefix("+OK")
	}
	return c
}

func TestPOP3Table(t *testing.T) {
	mib := strings.Repeat("a", 1<<20)
	cases := []lineCase{
		{name: "line over maxline", input: "USER " + mib + "\r\n", want: `^-ERR`, then: either},
		{name: "NUL in USER", input: "USER al\x00ice\r\n", want: `^-ERR Null characters not permitted`, then: either},
		{name: "PASS before USER", input: "PASS secret\r\n", want: `^-ERR`, then: stays},
		{name: "wrong PASS", input: "USER alice\r\nPASS wrong\r\n", final: `^-`, want: `^-ERR`, then: either},
		{name: "APOP garbage", input: "APOP alice zz\r\n", want: `^-ERR`, then: either},
		{name: "AUTH garbage", input: "AUTH PLAIN !!!notbase64\r\n", want: `^-ERR`, then: either},
		{name: "RETR 0", setup: "login", input: "RETR 0\r\n", want: `^-ERR`, then: stays},
		{name: "RETR -1", setup: "login", input: "RETR -1\r\n", want: `^-ERR`, then: stays},
		{name: "RETR overflow", setup: "login", input: "RETR 99999999999999999999\r\n", want: `^-ERR`, then: stays},
		{name: "RETR 2^32", setup: "login", input: "RETR 4294967297\r\n", want: `^-ERR`, then: stays},
		{name: "RETR word", setup: "login", input: "RETR abc\r\n", want: `^-ERR`, then: stays},
		{name: "RETR beyond", setup: "login", input: "RETR 999\r\n", want: `^-ERR`, then: stays},
		{name: "TOP negative", setup: "login", input: "TOP 1 -5\r\n", want: `^-ERR`, then: stays},
		{name: "LIST huge", setup: "login", input: "LIST 18446744073709551617\r\n", want: `^-ERR`, then: stays},
		{name: "DELE garbage", setup: "login", input: "DELE 1x\r\n", want: `^-ERR`, then: stays},
		{name: "NUL in command", setup: "login", input: "ST\x00AT\r\n", want: `^-ERR`, then: either},
	}
	for _, lc := range cases {
		t.Run(lc.name, func(t *testing.T) {
			run(t, "pop3", lc.e, func(t *testing.T, addr string) {
				c := pop3Session(t, addr, lc.setup)
				go c.write([]byte(lc.input))
				lc.finish(t, c, lc.finalOr(pop3Final), "CAPA\r\n", "+OK")
			})
		})
	}
}

// TestPOP3Abandoned: a command cut off mid-line, before and after login;
// the maildrop must be free for the next login.
func TestPOP3Abandoned(t *testing.T) {
	for _, setup := range []string{"", "login"} {
		t.Run("setup="+setup, func(t *testing.T) {
			run(t, "pop3", expect{}, func(t *testing.T, addr string) {
				c := pop3Session(t, addr, setup)
				c.send("RETR 1") // no CRLF
				c.nc.Close()
				next := pop3Session(t, addr, "login") // the maildrop lock is released
				next.send("QUIT\r\n")
				next.expectPrefix("+OK")
			})
		})
	}
}

// ---- LMTP ----

// lmtpSession dials lmtpd and says LHLO.
func lmtpSession(t *testing.T, addr string) *client {
	t.Helper()
	c := dial(t, addr)
	c.expectPrefix("220 ")
	c.send("LHLO hostile.test\r\n")
	c.expectSMTP("250")
	return c
}

// lmtpFinal is the last line of a refusal.
var lmtpFinal = regexp.MustCompile(`^[45]\d\d `)

func TestLMTPTable(t *testing.T) {
	mib := strings.Repeat("a", 1<<20)
	tx := func(from, rcpt string) string {
		return "MAIL FROM:<" + from + ">\r\nRCPT TO:<" + rcpt + ">\r\n"
	}
	cases := []lineCase{
		{name: "line over limit", input: "MAIL FROM:<" + mib + ">\r\n", want: `^5\d\d`, then: either},
		// Issue 13 item 6: NUL, CR and control characters in the paths.
		{name: "NUL in MAIL FROM", final: `^\d\d\d `, input: "MAIL FROM:<a\x00b@example.org>\r\n", want: `^501 5\.5\.4`, then: either},
		{name: "CR in MAIL FROM", final: `^\d\d\d `, input: "MAIL FROM:<a\rb@example.org>\r\n", want: `^501 5\.5\.4`, then: either},
		{name: "control in MAIL FROM", final: `^\d\d\d `, input: "MAIL FROM:<a\x01b@example.org>\r\n", want: `^501 5\.5\.4`, then: either},
		{name: "DEL in MAIL FROM", final: `^\d\d\d `, input: "MAIL FROM:<a\x7fb@example.org>\r\n", want: `^501 5\.5\.4`, then: either},
		{name: "NUL in RCPT TO", input: "MAIL FROM:<a@example.org>\r\nRCPT TO:<ali\x00ce>\r\n", want: `^5\d\d`, then: either},
		{name: "control in RCPT TO", input: "MAIL FROM:<a@example.org>\r\nRCPT TO:<ali\x01ce>\r\n", want: `^5\d\d`, then: either},
		{name: "RCPT before MAIL", input: "RCPT TO:<alice>\r\n", want: `^503`, then: stays},
		{name: "DATA before RCPT", input: "MAIL FROM:<a@example.org>\r\nDATA\r\n", want: `^503`, then: stays},
		{name: "unbalanced path", input: "MAIL FROM:<<<<a@example.org\r\n", want: `^501`, then: stays},
		{name: "huge SIZE", input: "MAIL FROM:<a@example.org> SIZE=99999999999999999999999\r\n", want: `^5\d\d`, then: stays},
		{name: "SIZE over limit", input: fmt.Sprintf("MAIL FROM:<a@example.org> SIZE=%d\r\n", 2*maxMessage), want: `^552`, then: stays},
		{name: "AUTH garbage", input: "AUTH PLAIN !!!notbase64\r\n", want: `^5\d\d`, then: either},
		// Issue 13 item 6: NUL in DATA.
		{name: "NUL in DATA header", input: tx("a@example.org", "alice") + "DATA\r\nFrom: a@x\r\nSubject: a\x00b\r\n\r\nbody\r\n.\r\n", want: `^554 5\.6\.0`, then: stays},
		{name: "NUL in DATA body", input: tx("a@example.org", "alice") + "DATA\r\nFrom: a@x\r\nSubject: nul\r\n\r\nbo\x00dy\r\n.\r\n", want: `^554 5\.6\.0`, then: stays},
	}
	for _, lc := range cases {
		t.Run(lc.name, func(t *testing.T) {
			run(t, "lmtp", lc.e, func(t *testing.T, addr string) {
				c := lmtpSession(t, addr)
				go c.write([]byte(lc.input))
				// The setup commands' 2xx and 354 replies are skipped: every
				// case ends in a refusal.
				lc.finish(t, c, lc.finalOr(lmtpFinal), "NOOP\r\n", "250")
			})
		})
	}
}

// TestLMTPBareLFDot: issue 13 item 7. DATA ends only at CRLF.CRLF: a
// message holding "\n.\n" (or its relatives) followed by a second
// transaction is one message, and the second transaction never runs.
func TestLMTPBareLFDot(t *testing.T) {
	for _, dot := range []string{"\n.\n", "\n.\r\n", "\r\n.\n"} {
		t.Run(fmt.Sprintf("%q", dot), func(t *testing.T) {
			bob := boxDir(t, "user.bob")
			e := expect{mayChange: func(p string) bool { return strings.HasPrefix(p, bob) }}
			run(t, "lmtp", e, func(t *testing.T, addr string) {
				c := lmtpSession(t, addr)
				c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<bob>\r\nDATA\r\n")
				c.expectSMTP("250")
				c.expectSMTP("250")
				c.expectSMTP("354")
				c.send("From: a@example.org\r\nSubject: one\r\n\r\nfirst" + dot +
					"MAIL FROM:<smuggler@example.org>\r\nRCPT TO:<bob>\r\nDATA\r\nSubject: two\r\n\r\nsmuggled\r\n.\r\n")
				// The one reply to DATA, then XYZZY's 500 and nothing between.
				c.send("XYZZY\r\n")
				var replies []string
				for {
					l := c.mustLine()
					if strings.HasPrefix(l, "500") {
						break
					}
					replies = append(replies, l)
				}
				if len(replies) != 1 || !strings.HasPrefix(replies[0], "250") {
					t.Errorf("replies after the message: %q, want one 250 (a second transaction was smuggled)", replies)
				}
			})
		})
	}
}

// boxDir is a mailbox's spool directory relative to the site.
func boxDir(t *testing.T, name string) string {
	t.Helper()
	st := h.store
	e, err := st.Lookup(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := st.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(dir, h.dir+"/")
}

// TestLMTPHugeData: 256 MiB of DATA over maxmessagesize: refused, with
// lmtpd's memory bounded (issue 13 item 3: it held 3–4 copies) and
// nothing stored.
func TestLMTPHugeData(t *testing.T) {
	run(t, "lmtp", expect{rssMiB: 32}, func(t *testing.T, addr string) {
		c := lmtpSession(t, addr)
		c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<alice>\r\nDATA\r\n")
		c.expectSMTP("250")
		c.expectSMTP("250")
		c.expectSMTP("354")
		c.send("From: a@example.org\r\nSubject: huge\r\n\r\n")
		line := []byte(strings.Repeat("y", 998) + "\r\n")
		chunk := []byte(strings.Repeat(string(line), (1<<20)/len(line)))
		var sent int
		for sent < 256<<20 {
			if err := c.write(chunk); err != nil {
				break
			}
			sent += len(chunk)
		}
		t.Logf("sent %d MiB of DATA", sent>>20)
		if err := c.send("\r\n.\r\n"); err != nil {
			return // lmtpd closed: refusing by hanging up is bounded too
		}
		l := c.mustLine()
		if !regexp.MustCompile(`^5\d\d `).MatchString(l) {
			t.Errorf("reply %q, want 5xx (over maxmessagesize)", l)
		}
	})
}

// TestLMTPDataAbandoned: DATA cut off right after 354, and mid-message.
func TestLMTPDataAbandoned(t *testing.T) {
	for _, body := range []string{"", "From: a@example.org\r\nSubject: cut\r\n\r\nhalf a mess"} {
		t.Run(fmt.Sprintf("after %d bytes", len(body)), func(t *testing.T) {
			run(t, "lmtp", expect{}, func(t *testing.T, addr string) {
				c := lmtpSession(t, addr)
				c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<alice>\r\nDATA\r\n")
				c.expectSMTP("250")
				c.expectSMTP("250")
				c.expectSMTP("354")
				c.send(body)
				c.nc.Close()
			})
		})
	}
}

// ---- ManageSieve ----

var sieveFinal = regexp.MustCompile(`^(OK|NO|BYE)`)

// sieveSession dials timsieved; setup "login" authenticates alice.
func sieveSession(t *testing.T, addr, setup string) *client {
	t.Helper()
	c := dial(t, addr)
	c.sieveResponse("OK")
	if setup == "login" {
		c.send(`AUTHENTICATE "PLAIN" "` + plain("alice", "secret") + "\"\r\n")
		c.sieveResponse("OK")
	}
	return c
}

func TestSieveTable(t *testing.T) {
	mib := strings.Repeat("a", 1<<20)
	put := func(name, body string) string {
		return fmt.Sprintf("PUTSCRIPT %q {%d+}\r\n%s\r\n", name, len(body), body)
	}
	big := "# " + strings.Repeat("x", sieveMaxKB<<10) + "\r\nkeep;\r\n"
	cases := []lineCase{
		{name: "line over limit", input: "CAPABILITY " + mib + "\r\n", want: `^(NO|BYE)`, then: either},
		{name: "literal leading zeros", setup: "login", input: "PUTSCRIPT \"s\" {000000000000000000008+}\r\nLOGOUT\r\n", want: `^(NO|BYE)`, then: closes},
		{name: "literal space plus", setup: "login", input: "PUTSCRIPT \"s\" {8 +}\r\nLOGOUT\r\n", want: `^(NO|BYE)`, then: closes},
		{name: "literal 2^64", setup: "login", input: "PUTSCRIPT \"s\" {18446744073709551616+}\r\nLOGOUT\r\n", want: `^(NO|BYE)`, then: closes},
		{name: "NUL in script name", setup: "login", input: put("a\x00b", "keep;\r\n"), want: `^NO`, then: either},
		{name: "control in script name", setup: "login", input: put("a\x01b", "keep;\r\n"), want: `^NO`, then: either},
		{name: "slash in script name", setup: "login", input: put("../../etc/passwd", "keep;\r\n"), want: `^NO`, then: stays},
		{name: "bad script", setup: "login", input: put("bad", "if foo {\r\n"), want: `^NO`, then: stays},
		{name: "unknown require", setup: "login", input: put("bad", "require \"x-nope\";\r\nkeep;\r\n"), want: `^NO`, then: stays},
		{name: "deep nesting", setup: "login", input: put("deep", strings.Repeat("if true {", 5000)+strings.Repeat("}", 5000)), want: `^NO`, then: stays},
		{name: "NUL in script", setup: "login", input: put("nul", "keep;\x00\r\n"), want: `^NO`, then: stays},
		{name: "over sieve_maxscriptsize", setup: "login", input: put("big", big), want: `^NO`, then: either},
		{name: "CHECKSCRIPT over size", setup: "login", input: fmt.Sprintf("CHECKSCRIPT {%d+}\r\n%s\r\n", len(big), big), want: `^NO`, then: either},
		{name: "AUTHENTICATE garbage", input: "AUTHENTICATE \"PLAIN\" \"!!!notbase64\"\r\n", want: `^NO`, then: either},
		{name: "AUTHENTICATE oversized", input: fmt.Sprintf("AUTHENTICATE \"PLAIN\" {%d+}\r\n%s\r\n", 2<<20, strings.Repeat("QUFB", (2<<20)/4)), want: `^(NO|BYE)`, then: either},
		{name: "unknown command", input: "XYZZY\r\n", want: `^NO`, then: stays},
	}
	for _, lc := range cases {
		t.Run(lc.name, func(t *testing.T) {
			run(t, "sieve", lc.e, func(t *testing.T, addr string) {
				c := sieveSession(t, addr, lc.setup)
				go c.write([]byte(lc.input))
				lc.finish(t, c, sieveFinal, "NOOP\r\n", "OK")
			})
		})
	}
}

// TestSieveHugeLiteralAbandoned: 256 MiB of a {1073741824+} PUTSCRIPT
// literal, then the connection is dropped.
func TestSieveHugeLiteralAbandoned(t *testing.T) {
	run(t, "sieve", expect{rssMiB: 32}, func(t *testing.T, addr string) {
		c := sieveSession(t, addr, "login")
		c.send("PUTSCRIPT \"huge\" {1073741824+}\r\n")
		sent := stream(c, 256<<20, '#')
		t.Logf("sent %d MiB of the literal before closing", sent>>20)
		c.nc.Close()
	})
}
