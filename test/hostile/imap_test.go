package hostile

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// after says what the stream must do once the case's reply has come.
type after int

const (
	either after = iota // close or stay: both are fine
	stays               // the session must go on answering
	closes              // the server must end the stream
)

// lineCase is a table case for a line protocol: input is written
// (concurrently: a server that stops reading must not block the test),
// then lines are read until one matches final; that line must match want.
type lineCase struct {
	name   string
	setup  string // IMAP: "login", "select" (alice, INBOX) or ""
	input  string
	final  string // regexp of the reply line that ends the case (default per protocol)
	want   string // regexp the final reply must match
	then   after
	forbid string // a tag whose reply must never come (smuggled commands)
	e      expect
}

// finalOr is the case's own final-line pattern, else def.
func (lc lineCase) finalOr(def *regexp.Regexp) *regexp.Regexp {
	if lc.final != "" {
		return regexp.MustCompile(lc.final)
	}
	return def
}

var imapFinal = regexp.MustCompile(`^(T |\* BYE|\* BAD)`)

// imapSession dials imapd, reads the greeting and does the case's setup.
func imapSession(t *testing.T, addr, setup string) *client {
	t.Helper()
	c := dial(t, addr)
	c.expectPrefix("* OK")
	if setup == "login" || setup == "select" {
		c.send("L LOGIN alice secret\r\n")
		c.expectTagged("L", "L OK")
	}
	if setup == "select" {
		c.send("S SELECT INBOX\r\n")
		c.expectTagged("S", "S OK")
	}
	return c
}

// finish reads to the case's final reply and checks it and what follows.
func (lc lineCase) finish(t *testing.T, c *client, final *regexp.Regexp, probe, probeWant string) {
	t.Helper()
	var got string
	for {
		l, err := c.line()
		if err != nil {
			if lc.want == "" || regexp.MustCompile(lc.want).MatchString("EOF") {
				return // closing without a reply is what the case wants
			}
			t.Fatalf("no final reply (%v); want %s", err, lc.want)
		}
		if lc.forbid != "" && strings.HasPrefix(l, lc.forbid+" ") {
			t.Fatalf("smuggled command ran: %q", l)
		}
		if final.MatchString(l) {
			got = l
			break
		}
	}
	if !regexp.MustCompile(lc.want).MatchString(got) {
		t.Errorf("reply %q, want %s", trunc(got), lc.want)
	}
	switch lc.then {
	case closes:
		ok, extra := c.closed(func(l string) bool { return strings.HasPrefix(l, "* BYE") })
		for _, l := range extra {
			if lc.forbid != "" && strings.HasPrefix(l, lc.forbid+" ") {
				t.Errorf("smuggled command ran: %q", l)
			}
		}
		if !ok {
			t.Errorf("the stream stays open after %q (then %q)", trunc(got), extra)
		}
	case stays:
		if err := c.send(probe); err != nil {
			t.Fatalf("session ended after %q: %v", trunc(got), err)
		}
		for {
			l, err := c.line()
			if err != nil {
				t.Fatalf("session ended after %q: %v", trunc(got), err)
			}
			if lc.forbid != "" && strings.HasPrefix(l, lc.forbid+" ") {
				t.Fatalf("smuggled command ran: %q", l)
			}
			if strings.HasPrefix(l, probeWant) {
				break
			}
		}
	}
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:200] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// nested wraps inner in n levels of open and close.
func nested(n int, open, inner, close string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// literalAppend is an APPEND of msg as a non-synchronizing literal.
func literalAppend(msg string) string {
	return fmt.Sprintf("T APPEND INBOX {%d+}\r\n%s\r\n", len(msg), msg)
}

const okMsg = "From: h@hostile.test\r\nSubject: hostile\r\n\r\nbody\r\n"

// bareLF is a message of n bytes with bare-LF line ends: CRLF conversion
// makes it half again as long.
func bareLF(n int) string {
	var b strings.Builder
	b.WriteString("From: h@hostile.test\nSubject: bare\n\n")
	for b.Len() < n {
		b.WriteString("x\n")
	}
	return b.String()[:n-1] + "\n"
}

func TestIMAPTable(t *testing.T) {
	mib := strings.Repeat("a", 1<<20)
	seq := strings.Repeat("1:*,", 10000) + "1"
	uidSeq := strings.Repeat("1:4294967295,", 4000) + "1"
	cases := []lineCase{
		{name: "line over maxline", input: "T NOOP " + mib + "\r\n", want: `^(T|\*) (BAD|BYE)`, then: either},
		{name: "tag over maxline", input: mib + " NOOP\r\n", want: `^\* (BAD|BYE)`, then: either},
		{name: "atom over maxline", setup: "login", input: "T SELECT " + mib + "\r\n", want: `^(T|\*) (BAD|BYE)`, then: either},
		{name: "quoted over maxline", input: `T LOGIN "` + mib + "\" x\r\n", want: `^(T|\*) (BAD|BYE)`, then: either},
		{name: "quoted name 60 KiB", setup: "login", input: `T SELECT "` + mib[:60<<10] + "\"\r\n", want: `^T (NO|BAD)`, then: stays},
		{name: "unterminated quote", setup: "login", input: "T SELECT \"INBOX\r\n", want: `^T BAD`, then: stays},
		{name: "deep parens FETCH", setup: "select", input: "T FETCH 1 " + nested(20000, "(", "FLAGS", ")") + "\r\n", want: `^T BAD`, then: stays},
		{name: "deep parens SEARCH", setup: "select", input: "T SEARCH " + nested(20000, "(", "ALL", ")") + "\r\n", want: `^T (OK|BAD)`, then: stays},
		{name: "deep NOT SEARCH", setup: "select", input: "T SEARCH " + strings.Repeat("NOT ", 15000) + "ALL\r\n", want: `^T (OK|BAD)`, then: stays},
		{name: "deep OR SEARCH", setup: "select", input: "T SEARCH " + strings.Repeat("OR ALL ", 8000) + "ALL\r\n", want: `^T (OK|BAD)`, then: stays},
		{name: "deep BODY section parens", setup: "select", input: "T FETCH 1 BODY[HEADER.FIELDS " + nested(20000, "(", "A", ")") + "]\r\n", want: `^T BAD`, then: stays},
		{name: "huge sequence set FETCH", setup: "select", input: "T FETCH " + seq + " FLAGS\r\n", want: `^T OK`, then: stays},
		{name: "huge UID set SEARCH", setup: "select", input: "T UID SEARCH UID " + uidSeq + "\r\n", want: `^T OK`, then: stays},
		{name: "sequence number overflow", setup: "select", input: "T FETCH 4294967296 FLAGS\r\n", want: `^T BAD`, then: stays},
		{name: "sequence number zero", setup: "select", input: "T FETCH 0 FLAGS\r\n", want: `^T BAD`, then: stays},
		{name: "sequence 99999999999999999999", setup: "select", input: "T FETCH 99999999999999999999 FLAGS\r\n", want: `^T BAD`, then: stays},
		{name: "NUL in command line", setup: "login", input: "T NO\x00OP\r\n", want: `^T BAD`, then: either},
		{name: "NUL in quoted", setup: "login", input: "T SELECT \"IN\x00BOX\"\r\n", want: `^T (BAD|NO)`, then: either},
		{name: "bare LF command", setup: "login", input: "T NOOP\n", want: `^T (OK|BAD)`, then: either},
		// Issue 13 item 7: after a refused literal header its bytes must not run.
		{name: "literal leading zeros", setup: "login", input: "T APPEND INBOX {000000000000000000008+}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal space plus", setup: "login", input: "T APPEND INBOX {8 +}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal plus plus", setup: "login", input: "T APPEND INBOX {8++}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal minus", setup: "login", input: "T APPEND INBOX {8-}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal negative", setup: "login", input: "T APPEND INBOX {-8+}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal 2^64", setup: "login", input: "T APPEND INBOX {18446744073709551616+}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal empty count", setup: "login", input: "T APPEND INBOX {+}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal hex", setup: "login", input: "T APPEND INBOX {0x8+}\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: closes, forbid: "X1"},
		{name: "literal8 in LOGIN", input: "T LOGIN ~{5+}\r\nalice secret\r\nX1 NOOP\r\n", want: `^(T|\*) (BAD|NO|BYE)`, then: either, forbid: "X1"},
		// Issue 13 item 6.
		{name: "NUL in APPEND header", setup: "login", input: literalAppend("From: h@x\r\nSubject: a\x00b\r\n\r\nbody\r\n"), want: `^T NO Message contains NUL characters`, then: stays},
		{name: "NUL in APPEND body", setup: "login", input: literalAppend("From: h@x\r\nSubject: nul\r\n\r\nbo\x00dy\r\n"), want: `^T NO Message contains NUL characters`, then: stays},
		{name: "zero-length APPEND", setup: "login", input: "T APPEND INBOX {0+}\r\n\r\n", want: `^T NO Zero-length message literal`, then: stays},
		// Issue 13 item 3: the limit holds after CRLF conversion.
		{name: "bare-LF literal over limit after conversion", setup: "login", input: literalAppend(bareLF(900018)), want: `^T NO`, then: either},
		{name: "non-sync literal over APPENDLIMIT", setup: "login", input: fmt.Sprintf("T APPEND INBOX {%d+}\r\n%s\r\n", maxMessage+1, strings.Repeat("x", maxMessage+1)), want: `^T (NO|BAD)`, then: either},
		{name: "APPEND to nowhere", setup: "login", input: literalAppend(okMsg), want: `^T NO`, then: stays},
		{name: "APPEND bad flag list", setup: "login", input: "T APPEND INBOX (" + nested(5000, "(", "", ")") + ") {5+}\r\nhello\r\n", want: `^T BAD`, then: either},
		{name: "APPEND bad date", setup: "login", input: "T APPEND INBOX \"99-Foo-99999 99:99:99 +9999\" {5+}\r\nhello\r\n", want: `^T BAD`, then: either},
		{name: "AUTHENTICATE garbage IR", input: "T AUTHENTICATE PLAIN !!!notbase64!!!\r\n", want: `^T (NO|BAD)`, then: stays},
		{name: "AUTHENTICATE unknown mechanism", input: "T AUTHENTICATE X-NOPE\r\n", want: `^T (NO|BAD)`, then: stays},
		// Issue 13 item 8.
		{name: "METADATA arbitrary entry", setup: "login", input: "T SETMETADATA INBOX (/private/no/such/entry/" + strings.Repeat("z", 1000) + " \"v\")\r\n", want: `^T (NO|BAD)`, then: stays},
		{name: "METADATA 1 MB value", setup: "login", input: fmt.Sprintf("T SETMETADATA INBOX (/private/comment {%d+}\r\n%s)\r\n", 999999, strings.Repeat("v", 999999)), want: `^T NO`, then: either},
	}
	// "APPEND to nowhere" writes to a mailbox that does not exist.
	for i := range cases {
		if cases[i].name == "APPEND to nowhere" {
			cases[i].input = strings.Replace(cases[i].input, "INBOX", "INBOX.nonexistent", 1)
		}
	}
	for _, lc := range cases {
		t.Run(lc.name, func(t *testing.T) {
			run(t, "imap", lc.e, func(t *testing.T, addr string) {
				c := imapSession(t, addr, lc.setup)
				go c.write([]byte(lc.input))
				lc.finish(t, c, imapFinal, "Z NOOP\r\n", "Z OK")
			})
		})
	}
}

// TestIMAPSyncLiteralOverLimit: a synchronizing literal over APPENDLIMIT is
// refused before the "+", and the session goes on.
func TestIMAPSyncLiteralOverLimit(t *testing.T) {
	run(t, "imap", expect{}, func(t *testing.T, addr string) {
		c := imapSession(t, addr, "login")
		c.send(fmt.Sprintf("T APPEND INBOX {%d}\r\n", maxMessage+1))
		l := c.mustLine()
		if !regexp.MustCompile(`^T NO \[TOOBIG\]`).MatchString(l) {
			t.Fatalf("reply %q, want T NO [TOOBIG] before any +", l)
		}
		c.send("Z NOOP\r\n")
		c.expectTagged("Z", "Z OK")
	})
}

// stream writes n bytes of filler to c in 1 MiB writes, stopping at the
// first write error (the server closed); it reports how much it wrote.
func stream(c *client, n int64, fill byte) int64 {
	buf := bytes.Repeat([]byte{fill}, 1<<20)
	var sent int64
	for sent < n {
		chunk := buf
		if n-sent < int64(len(chunk)) {
			chunk = chunk[:n-sent]
		}
		if err := c.write(chunk); err != nil {
			break
		}
		sent += int64(len(chunk))
	}
	return sent
}

// TestIMAPHugeLiteralAbandoned: 256 MiB of a {1073741824+} literal, then
// the connection is dropped mid-literal. Issue 13 item 3: imapd must not
// hold the literal in memory, and nothing may stay on disk.
func TestIMAPHugeLiteralAbandoned(t *testing.T) {
	for _, cmd := range []string{"T APPEND INBOX {1073741824+}\r\n", "T APPEND INBOX {1073741824}\r\n"} {
		t.Run(strings.TrimSpace(cmd), func(t *testing.T) {
			run(t, "imap", expect{rssMiB: 32}, func(t *testing.T, addr string) {
				c := imapSession(t, addr, "login")
				c.send(cmd)
				sent := stream(c, 256<<20, 'x')
				t.Logf("sent %d MiB of the literal before closing", sent>>20)
				c.nc.Close()
			})
		})
	}
}

// TestIMAPHugeLiteralStreamed: the same against an imapd whose limits
// admit the literal (issue 13 item 3: 256 MiB of it took imapd from 29 MB
// to 603 MB): it must be spooled as it comes, and the abandoned spool
// file removed.
func TestIMAPHugeLiteralStreamed(t *testing.T) {
	for _, cmd := range []string{"T APPEND INBOX {1073741824+}\r\n", "T APPEND INBOX {1073741824}\r\n"} {
		t.Run(strings.TrimSpace(cmd), func(t *testing.T) {
			run(t, "imapbig", expect{rssMiB: 32}, func(t *testing.T, addr string) {
				c := imapSession(t, addr, "login")
				c.send(cmd)
				if !strings.Contains(cmd, "+}") { // synchronizing: wait for the go-ahead
					c.expectPrefix("+")
				}
				sent := stream(c, 256<<20, 'x')
				if sent < 256<<20 {
					t.Errorf("imapd stopped reading after %d MiB of an acceptable literal", sent>>20)
				}
				c.nc.Close()
			})
		})
	}
}

// TestIMAPLiteralTruncated: a literal cut short by the client's close.
func TestIMAPLiteralTruncated(t *testing.T) {
	run(t, "imap", expect{}, func(t *testing.T, addr string) {
		c := imapSession(t, addr, "login")
		c.send("T APPEND INBOX {500+}\r\nFrom: a@b\r\nSubject: cut\r\n\r\nhalf a mess")
		c.send("Z NOOP\r\n")
		c.nc.Close()
	})
}

// TestIMAPSlowLoris: a command sent one byte at a time, each byte only
// after a bystander round trip, must neither block other sessions nor
// cost memory; once complete it is answered. (imapd's timeout has a
// 30-minute floor (RFC 3501 §5.4), so the autologout itself is not
// awaited here.)
func TestIMAPSlowLoris(t *testing.T) {
	run(t, "imap", expect{}, func(t *testing.T, addr string) {
		c := imapSession(t, addr, "")
		other := imapSession(t, addr, "login")
		cmd := "T LOGIN alice secret\r\n"
		for i := 0; i < len(cmd); i++ {
			if err := c.send(cmd[i : i+1]); err != nil {
				t.Fatal(err)
			}
			other.send(fmt.Sprintf("N%d NOOP\r\n", i))
			other.expectTagged(fmt.Sprintf("N%d", i), fmt.Sprintf("N%d OK", i))
		}
		c.expectTagged("T", "T OK")
	})
}

// TestIMAPAuthenticate: garbage and oversized SASL continuations.
func TestIMAPAuthenticate(t *testing.T) {
	for _, tc := range []struct{ name, resp, want string }{
		{"garbage base64", "!!!not base64!!!\r\n", `^T (NO|BAD)`},
		{"oversized response", strings.Repeat("QUFB", 1<<18) + "\r\n", `^(T|\*) (NO|BAD|BYE)`},
		{"NUL in response", "AGFsaWNl\x00AHNlY3JldA==\r\n", `^T (NO|BAD)`},
		{"cancel", "*\r\n", `^T (NO|BAD)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, "imap", expect{}, func(t *testing.T, addr string) {
				c := imapSession(t, addr, "")
				c.send("T AUTHENTICATE PLAIN\r\n")
				c.expectPrefix("+")
				go c.send(tc.resp)
				lineCase{want: tc.want, then: either}.finish(t, c, imapFinal, "", "")
			})
		})
	}
}

// TestIMAPIdle: IDLE abandoned, and IDLE ended by something not DONE.
func TestIMAPIdle(t *testing.T) {
	t.Run("abandoned", func(t *testing.T) {
		run(t, "imap", expect{}, func(t *testing.T, addr string) {
			c := imapSession(t, addr, "select")
			c.send("T IDLE\r\n")
			c.expectPrefix("+")
			c.nc.Close()
		})
	})
	t.Run("garbage instead of DONE", func(t *testing.T) {
		run(t, "imap", expect{}, func(t *testing.T, addr string) {
			c := imapSession(t, addr, "select")
			c.send("T IDLE\r\n")
			c.expectPrefix("+")
			c.send("X1 NOOP\r\n")
			lineCase{want: `^(T|\*) (BAD|NO|BYE|OK)`, then: either, forbid: "X1"}.finish(t, c, imapFinal, "", "")
		})
	})
}

// TestIMAPCompressGarbage: after COMPRESS DEFLATE, bytes that are not a
// deflate stream end the session.
func TestIMAPCompressGarbage(t *testing.T) {
	run(t, "imap", expect{}, func(t *testing.T, addr string) {
		c := imapSession(t, addr, "login")
		c.send("T COMPRESS DEFLATE\r\n")
		c.expectTagged("T", "T OK")
		go c.write(bytes.Repeat([]byte{0xff, 0x00, 0x13, 0x37}, 4096))
		if ok, _ := c.closed(func(string) bool { return true }); !ok {
			t.Errorf("the stream stays open after a corrupt deflate stream")
		}
	})
}

// TestIMAPStartTLSGarbage: after STARTTLS, a client that speaks no TLS.
func TestIMAPStartTLSGarbage(t *testing.T) {
	run(t, "imap", expect{}, func(t *testing.T, addr string) {
		c := imapSession(t, addr, "")
		c.send("T STARTTLS\r\n")
		c.expectTagged("T", "T OK")
		go c.write([]byte("X1 LOGIN alice secret\r\n" + strings.Repeat("garbage\r\n", 1000)))
		if ok, extra := c.closed(func(string) bool { return false }); !ok || len(extra) > 0 {
			for _, l := range extra {
				if strings.HasPrefix(l, "X1 ") {
					t.Errorf("plaintext ran after STARTTLS: %q", l)
				}
			}
			if !ok {
				t.Errorf("the stream stays open after a failed TLS handshake")
			}
		}
	})
	// and a real TLS client that then sends garbage
	run(t, "imap", expect{}, func(t *testing.T, addr string) {
		c := imapSession(t, addr, "")
		c.send("T STARTTLS\r\n")
		c.expectTagged("T", "T OK")
		tc := tls.Client(c.nc, &tls.Config{InsecureSkipVerify: true})
		if err := tc.Handshake(); err != nil {
			t.Fatalf("TLS handshake: %v", err)
		}
		c.nc = tc
		c.r.Reset(tc)
		go c.write([]byte("\x00\xff" + strings.Repeat("x", 200<<10) + "\r\n"))
		lineCase{want: `^(T|\*) (BAD|BYE)`, then: either}.finish(t, c, imapFinal, "", "")
	})
}

// TestIMAPFetchBrokenSpool: issue 13 item 9. A FETCH of a message whose
// file is missing, or is a directory, gets Cyrus's "* OK Message n no
// longer exists" for it, the tagged OK, and the session goes on (it gave
// "* 2 FETCH ()", and dropped the connection).
func TestIMAPFetchBrokenSpool(t *testing.T) {
	ctx := t.Context()
	e, err := h.store.CreateMailbox(ctx, "user.alice.broken", store.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mb, _, err := h.store.Open(ctx, "user.alice.broken", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := mb.Append(ctx, appendOne(fmt.Sprintf("From: a@b\r\nSubject: %d\r\n\r\nbody %d\r\n", i, i))); err != nil {
			t.Fatal(err)
		}
	}
	mb.Close()
	dir, err := h.store.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "2.")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "3.")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "3."), 0o750); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, cmd string }{
		{"missing file", "T FETCH 2 BODY[]\r\n"},
		{"directory", "T FETCH 3 BODY[]\r\n"},
		{"missing file, RFC822.SIZE and BODY", "T FETCH 2:3 (RFC822.SIZE BODY[TEXT])\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, "imap", expect{}, func(t *testing.T, addr string) {
				c := imapSession(t, addr, "login")
				c.send("S EXAMINE broken\r\n")
				c.expectTagged("S", "S OK")
				c.send(tc.cmd)
				gone := false
				for {
					l, err := c.line()
					if err != nil {
						t.Fatalf("no reply to %q: %v", strings.TrimSpace(tc.cmd), err)
					}
					if regexp.MustCompile(`^\* \d+ FETCH \(\)`).MatchString(l) {
						t.Errorf("empty FETCH response %q", l)
					}
					if regexp.MustCompile(`^\* OK Message [23] no longer exists`).MatchString(l) {
						gone = true
					}
					if strings.HasPrefix(l, "T ") {
						if !strings.HasPrefix(l, "T OK") || !gone {
							t.Errorf("reply %q (message-gone line seen: %v), want \"* OK Message n no longer exists\" and T OK", l, gone)
						}
						break
					}
				}
				c.send("Z NOOP\r\n")
				c.expectTagged("Z", "Z OK")
			})
		})
	}
}
