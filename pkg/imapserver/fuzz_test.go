package imapserver

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are commands of every kind, well and badly formed.
var fuzzSeeds = []string{
	"a LOGIN alice secret",
	"a AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==",
	"a SELECT INBOX (CONDSTORE)",
	`a LIST (SUBSCRIBED RECURSIVEMATCH) "" ("*" "%") RETURN (CHILDREN STATUS (MESSAGES))`,
	"a FETCH 1:* (UID FLAGS BODY.PEEK[1.2.HEADER.FIELDS (SUBJECT)]<0.10> BODYSTRUCTURE)",
	`a UID STORE 1:* (UNCHANGEDSINCE 5) +FLAGS.SILENT (\Seen $x)`,
	`a SEARCH RETURN (SAVE MIN) OR SUBJECT "x" NOT BODY {3+}` + "\r\nabc",
	"a UID SEARCH $",
	"a SORT (REVERSE ARRIVAL) UTF-8 ALL",
	"a THREAD REFERENCES UTF-8 SINCE 1-Jan-2020",
	"a APPEND INBOX (\\Flagged) \"01-Jan-2020 10:00:00 +0000\" {5+}\r\nhello",
	"a APPEND Work CATENATE (URL \"/INBOX/;UID=1/;SECTION=1\" TEXT {2+}\r\nhi URL \";UID=1\") {3+}\r\nabc",
	"a GENURLAUTH \"imap://alice@imap.test/INBOX/;uid=1;urlauth=anonymous\" INTERNAL\r\nb URLFETCH \"x\" \"imap://alice@imap.test/INBOX/;uid=1;urlauth=anonymous:internal:00000000000000000000000000000000\"\r\nc RESETKEY INBOX INTERNAL",
	"a COPY 1:3 Work", "a UID MOVE 1:* Work", "a UID EXPUNGE 1:2", "a EXPUNGE",
	"a SETACL Work bob +lrs", "a GETACL INBOX", "a LISTRIGHTS INBOX anyone", "a MYRIGHTS Work",
	"a SETQUOTA INBOX (STORAGE 10)", "a GETQUOTAROOT INBOX",
	"a CREATE x/y (USE (\\Junk))", "a RENAME x/y z", "a DELETE z", "a STATUS INBOX (MESSAGES UNSEEN)",
	"a IDLE\r\nDONE", "a ENABLE CONDSTORE QRESYNC", "a ID NIL", "a NAMESPACE", "a CLOSE", "a UNSELECT",
	"a FETCH 99999999999 FLAGS", "a FETCH * (BODY[", "a {5}", "* NOOP", "a UID", "a STORE 1 FLAGS (\\Bogus)",
	"a STARTTLS", "a LOGOUT",
	"a ENABLE QRESYNC\r\nb SELECT INBOX (QRESYNC (1 1 1:5 (1:2 1,3)))",
	"a ENABLE QRESYNC\r\nb SELECT INBOX\r\nc UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)",
	`a GETMETADATA (MAXSIZE 10 DEPTH infinity) INBOX (/shared /private/comment)`,
	`a SETMETADATA INBOX (/private/comment "x" /shared/a NIL /private/specialuse "\\Junk")`,
	`a SETMETADATA "" (/shared/x ~{2+}` + "\r\n\x00\x01)", `a GETMETADATA "" /private//x`,
	"a COMPRESS DEFLATE\r\n\x03\x00", "a COMPRESS BOGUS", "a UNAUTHENTICATE",
	"a APPEND INBOX ~{3+}\r\na\x00b", "a FETCH 1 (BINARY[1]<0.2> BINARY.SIZE[1])",
	"a ENABLE IMAP4rev2\r\nb SELECT INBOX\r\nc SEARCH RETURN () ALL\r\nd UID SEARCH NEW",
	"a ENABLE IMAP4rev2\r\nb CREATE \"Entwürfe\"\r\nc RENAME \"Entwürfe\" \"x&AOk-y &\"\r\nd LIST \"\" \"x&*\"",
	"a ENABLE IMAP4rev2\r\nb STATUS \"bad\xff&\" (MESSAGES SIZE DELETED RECENT)",
}

// FuzzSession feeds arbitrary input to a session in each state: not
// authenticated, authenticated and selected. The session must answer and
// never panic or hang.
func FuzzSession(f *testing.F) {
	for _, s := range fuzzSeeds {
		for st := byte(0); st < 3; st++ {
			f.Add(st, s)
		}
	}
	site := newTestSite(f)
	site.deliver("user.alice", testMessage("fuzz one"), testMessage("fuzz two"))
	f.Fuzz(func(t *testing.T, state byte, input string) {
		c, err := net.Dial("tcp", site.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var prefix string
		switch state % 3 {
		case 1:
			prefix = "p1 LOGIN alice secret\r\n"
		case 2:
			prefix = "p1 LOGIN alice secret\r\np2 SELECT INBOX\r\n"
		}
		c.SetDeadline(time.Now().Add(hangTimeout))
		io.WriteString(c, prefix+input+"\r\nz LOGOUT\r\n")
		c.(*net.TCPConn).CloseWrite()
		out, err := io.ReadAll(c)
		if err != nil && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("reading the session's output: %v (got %q)", err, out)
		}
		if !strings.HasPrefix(string(out), "* OK [CAPABILITY") {
			t.Fatalf("no greeting: %q", out)
		}
	})
}
