package search

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"gocyrus/pkg/imapserver/wire"
)

func TestMatchKeys(t *testing.T) {
	plus1 := time.FixedZone("", 3600)
	msgs := []testMsg{
		// 1: seen, answered, small, sent late on the 2nd in -0700 (the 3rd UTC).
		{raw: plain(1, "hello world"), flags: []string{`\Seen`, `\Answered`},
			date: time.Date(2024, 3, 1, 23, 30, 0, 0, plus1)},
		// 2: flagged keyword, encoded subject, a larger body.
		{raw: mkmail("Some longer body text here, padding padding padding\r\n",
			"From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.fr>", "To: a@b.c, \"Zoë\" <z@d.e>",
			"Cc: carol@example.net", "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=",
			"Date: Tue, 3 Jan 2006 00:30:00 +1300", "X-Mailer: Frobnicator 2"),
			flags: []string{`\Flagged`, "$Work", `\Recent`}, date: time.Date(2024, 3, 2, 0, 10, 0, 0, time.UTC)},
		// 3: deleted draft, KOI8-R subject, no Date header.
		{raw: mkmail("x\r\n", "From: bob@example.org", "Subject: =?koi8-r?B?8NLJ18XU?= there",
			"Bcc: secret@example.com"),
			flags: []string{`\Deleted`, `\Draft`, `\Recent`, `\Seen`}, date: time.Date(2024, 3, 3, 12, 0, 0, 0, time.UTC)},
	}
	cands := newBox(t, msgs)
	env := Env{MaxSeq: 3, MaxUID: cands[2].UID, Saved: []uint32{cands[1].UID},
		Now: time.Date(2024, 3, 3, 13, 0, 0, 0, time.UTC)}
	tests := []struct {
		key  string
		want []uint32
	}{
		{"ALL", []uint32{1, 2, 3}},
		{"SEEN", []uint32{1, 3}},
		{"UNSEEN", []uint32{2}},
		{"ANSWERED", []uint32{1}},
		{"UNANSWERED", []uint32{2, 3}},
		{"DELETED", []uint32{3}},
		{"UNDELETED", []uint32{1, 2}},
		{"DRAFT", []uint32{3}},
		{"UNDRAFT", []uint32{1, 2}},
		{"FLAGGED", []uint32{2}},
		{"UNFLAGGED", []uint32{1, 3}},
		{"KEYWORD $work", []uint32{2}},
		{"UNKEYWORD $Work", []uint32{1, 3}},
		{"RECENT", []uint32{2, 3}},
		{"NEW", []uint32{2}},
		{"OLD", []uint32{1}},
		{"LARGER 200", []uint32{2}},
		{"SMALLER 200", []uint32{1, 3}},
		{"1,3", []uint32{1, 3}},
		{"2:*", []uint32{2, 3}},
		{"*", []uint32{3}},
		{"*:2", []uint32{2, 3}},
		{"$", []uint32{2}},
		{"UID $", []uint32{2}},
		{"NOT UID *", []uint32{1, 2}},
		// Internal dates, in their own zone: 1 is March 1st (+0100).
		{"ON 1-Mar-2024", []uint32{1}},
		{"BEFORE 2-Mar-2024", []uint32{1}},
		{"SINCE 2-Mar-2024", []uint32{2, 3}},
		// Sent dates in the header's zone; 3 has none: internal date.
		{"SENTON 2-Jan-2006", []uint32{1}},
		{"SENTON 3-Jan-2006", []uint32{2}},
		{"SENTBEFORE 3-Jan-2006", []uint32{1}},
		{"SENTSINCE 3-Jan-2006", []uint32{2, 3}},
		{"SENTON 3-Mar-2024", []uint32{3}},
		{"YOUNGER 7200", []uint32{3}},
		{"OLDER 7200", []uint32{1, 2}},
		{"SUBJECT WORLD", []uint32{1}},
		{"SUBJECT \"grüße\"", []uint32{2}},
		{"SUBJECT \"GRÜSSE\"", nil},
		{"SUBJECT \"KÖLN\"", []uint32{2}},
		{"SUBJECT \"ПРИВЕТ\"", []uint32{3}},
		{"SUBJECT \"\"", []uint32{1, 2, 3}},
		{"FROM \"andré\"", []uint32{2}},
		{"FROM example.org", []uint32{3}},
		{"TO \"ZOË\"", []uint32{2}},
		{"CC carol", []uint32{2}},
		{"BCC secret", []uint32{3}},
		{"HEADER X-Mailer frob", []uint32{2}},
		{"HEADER x-seq \"\"", []uint32{1}},
		{"HEADER X-Nothing \"\"", nil},
		{"BODY padding", []uint32{2}},
		{"BODY fred", nil},
		{"TEXT fred", []uint32{1}},
		{"TEXT PADDING", []uint32{2}},
		{"OR SEEN FLAGGED", []uint32{1, 2, 3}},
		{"OR (SEEN DELETED) BODY padding", []uint32{2, 3}},
		{"NOT OR SEEN FLAGGED", nil},
		{"NOT (NOT SUBJECT hello)", []uint32{1}},
		{"SEEN NOT DELETED SUBJECT hello", []uint32{1}},
		{"OR NOT BODY padding HEADER X-Mailer frob", []uint32{1, 2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			if got := matched(t, cands, tc.key, env); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMatchModSeq(t *testing.T) {
	cands := newBox(t, []testMsg{{raw: plain(1, "a")}, {raw: plain(2, "b")}})
	ms := cands[1].Record.ModSeq
	if got := matched(t, cands, "MODSEQ "+itoa(ms), Env{}); !slices.Equal(got, []uint32{2}) {
		t.Errorf("MODSEQ %d: got %v", ms, got)
	}
}

func TestMatchBodyEncodings(t *testing.T) {
	mp := mkmail("--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+
		"Caf=E9 cr=E8me=\r\n br=FBl=E9e\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
		"PHA+U2NobsO8ZmZlbDwvcD4=\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\naW1hZ2VieXRlcw==\r\n"+
		"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner subject\r\n\r\ninner text\r\n--b--\r\n",
		"Subject: mp", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b")
	cands := newBox(t, []testMsg{{raw: mp}, {raw: plain(2, "other")}})
	for _, tc := range []struct {
		key  string
		want []uint32
	}{
		{"BODY \"CAFÉ CRÈME BRÛLÉE\"", []uint32{1}},
		{"BODY \"schnüffel\"", []uint32{1}},
		{"BODY imagebytes", nil},
		{"BODY \"inner subject\"", []uint32{1}},
		{"BODY \"inner text\"", []uint32{1}},
		{"TEXT \"subject: mp\"", []uint32{1}},
	} {
		if got := matched(t, cands, tc.key, Env{}); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.key, got, tc.want)
		}
	}
}

// TestMatchBodyEncodingComment: a Content-Transfer-Encoding with a comment
// (RFC 2045 §6.1) is decoded like the bare mechanism.
func TestMatchBodyEncodingComment(t *testing.T) {
	mp := mkmail("--c\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: Quoted-Printable (comment)\r\n\r\n"+
		"caf=E9 au l=\r\nait\r\n--c\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: (b64) BASE64\r\n\r\nc2Vjb25kIHBhcnQ=\r\n--c--\r\n",
		"Subject: cte", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=c")
	cands := newBox(t, []testMsg{{raw: mp}, {raw: plain(2, "other")}})
	for _, key := range []string{"BODY \"café au lait\"", "BODY \"second part\""} {
		if got := matched(t, cands, key, Env{}); !slices.Equal(got, []uint32{1}) {
			t.Errorf("%s: got %v, want [1]", key, got)
		}
	}
}

func TestMatchCancelled(t *testing.T) {
	cands := newBox(t, []testMsg{{raw: plain(1, "a")}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Match(ctx, parseKey(t, "BODY x"), cands, Env{}); err == nil {
		t.Fatal("no error from a cancelled context")
	}
}

func TestMatchVanishedFile(t *testing.T) {
	cands := newBox(t, []testMsg{{raw: plain(1, "a")}})
	cands[0].Open = func() (*os.File, error) { return nil, fs.ErrNotExist }
	if got := matched(t, cands, "BODY body", Env{}); got != nil {
		t.Errorf("got %v", got)
	}
}

func TestSupportedCharset(t *testing.T) {
	for name, want := range map[string]bool{"utf-8": true, "US-ASCII": true, "ISO-8859-1": false, "x": false} {
		if SupportedCharset(name) != want {
			t.Errorf("%s: want %v", name, want)
		}
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// TestSentDateObsoleteAndComments: SEARCH SENT* and SORT DATE read the
// Date field by the one rule (msgheader.ParseDate): an obsolete date
// (two-digit year, named zone, RFC 5322 §4.3) and one with comments
// (appendix A.5) are the dates they say, for both.
func TestSentDateObsoleteAndComments(t *testing.T) {
	withDate := func(i int, date string) string {
		return mkmail("x\r\n", "From: a@example.com", "Subject: d", "Date: "+date, fmt.Sprintf("Message-ID: <d%d@x>", i))
	}
	cands := newBox(t, []testMsg{
		{raw: withDate(1, "Mon, 1 Jun 2020 10:00:00 +0000")},
		{raw: withDate(2, "1 Jun 98 23:00 EST")},
		{raw: withDate(3, "Thu (weekday), 13 Feb 1969 23:32:54 -0330 (Newfoundland Time)")},
	})
	for _, tc := range []struct {
		key  string
		want []uint32
	}{
		{"SENTBEFORE 1-Jan-2000", []uint32{2, 3}},
		{"SENTON 1-Jun-1998", []uint32{2}},
		{"SENTON 13-Feb-1969", []uint32{3}},
		{"SENTSINCE 1-Jan-2000", []uint32{1}},
	} {
		if got := matched(t, cands, tc.key, Env{}); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.key, got, tc.want)
		}
	}
	order, err := Sort(context.Background(), []wire.SortCriterion{{Key: "DATE"}}, cands)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []int{2, 1, 0}) {
		t.Errorf("SORT DATE: %v, want [2 1 0]", order)
	}
}
