package mailbox

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// diffMessages are the messages the streaming parser is checked against
// the oracle with: every shape the MIME rules distinguish.
func diffMessages() []string {
	long := strings.Repeat("x", 40<<10) // longer than a scan buffer
	ws := strings.Repeat(" \t", 20<<10)
	return []string{
		"",
		"\r\n",
		"\n",
		"\r",
		"\r\n\r\n",
		"Subject: only a header",
		"Subject: header then blank\r\n\r\n",
		testMessage(1, "plain"),
		"From: a@b\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nhi\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nbody\r\n--x--\r\n",
		"Subject: x\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\na\r\n--b--\r\n",
		"Content-Type: multipart/mixed\r\n\r\nno boundary parameter\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nunterminated part\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\npreamble\r\n--b\r\n--b\r\n\r\n--b\r\nX: y\r\n\r\n--b--\r\nepilogue\r\n--b\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t \r\r\nA: 1\r\n\r\npart\r\n--b--  \r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b" + ws + "\r\nA: 1\r\n\r\nbig ws\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b" + ws + "z\r\nA: 1\r\n\r\n" + long + "\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b--",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX: y\r\n--b",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--b\r\n\r\n\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\ninner\r\n--b\r\n\r\nouter2\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\ninner\r\n--c--\r\n--b\r\n\r\n--c\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=d\r\n\r\n--d\r\n\r\nx\r\n--d--\r\n--b--\r\n",
		"Content-Type: message/rfc822\r\n\r\nSubject: nested\r\n\r\n" + long,
		"Content-Type: text/plain\r\n\r\n" + long,
		"Subject: " + long + "\r\n\r\nbody\r\n",
		"Content-Type: multipart/mixed; boundary=\"" + strings.Repeat("q", 200) + "\"\r\n\r\n--" + strings.Repeat("q", 200) + "\r\n\r\nA\r\n--" + strings.Repeat("q", 200) + "--\r\n",
		strings.Repeat("Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n", 40) + "deep\r\n",
		strings.Repeat("Content-Type: message/rfc822\r\n\r\n", 40) + "deep\r\n",
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nA: 1\n\nbare lf\n--b--\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\r\n\r\r\nx\r\r\n--b--\r\n",
		"Content-Type: multipart/digest; boundary=b\r\n\r\n--b\r\n\r\nSubject: in\r\n\r\nbody\r\n--b\r\nContent-Type: text/plain\r\n\r\ntext\r\n--b\r\nContent-Type: bogus\r\n\r\nSubject: bad type\r\n\r\nx\r\n--b--\r\n",
		"Content-Type: multipart/digest; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/digest; boundary=c\r\n\r\n--c\r\n\r\nSubject: deep\r\n\r\nx\r\n--c--\r\n--b\r\n\r\nContent-Type: multipart/mixed; boundary=d\r\n\r\n--d\r\n\r\ntext\r\n--d--\r\n--b--\r\n",
		strings.Repeat("Content-Type: multipart/digest; boundary=z\r\n\r\n--z\r\n\r\n", 40) + "deep\r\n",
	}
}

// checkSame fails when the streaming parser and the oracle disagree on raw.
func checkSame(t *testing.T, raw []byte) {
	t.Helper()
	want := oracleParseMessage(raw)
	got, err := parseMessageAt(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("parseMessageAt(%q): %v", trunc(raw), err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parse of %q differs:\n got  %+v\n want %+v", trunc(raw), got, want)
	}
}

func trunc(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "..."...)
	}
	return b
}

// TestParseMatchesOracle: the streaming parser derives exactly what the
// in-memory one did, on the corpus, on its CRLF form, and on random MIME.
func TestParseMatchesOracle(t *testing.T) {
	for _, m := range diffMessages() {
		checkSame(t, []byte(m))
		checkSame(t, toCRLF([]byte(m)))
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	for range 2000 {
		checkSame(t, randomMIME(rng, 0))
	}
}

// randomMIME builds a message from the lines the parser reacts to.
func randomMIME(rng *rand.Rand, _ int) []byte {
	lines := []string{
		"Content-Type: multipart/mixed; boundary=b", "Content-Type: multipart/alternative; boundary=c",
		"Content-Type: multipart/digest; boundary=c",
		"Content-Type: message/rfc822", "Content-Type: text/plain", "Subject: s", "From: a@b",
		"", "", "", "--b", "--b--", "--c", "--c--", "--b \t", "--bb", "-b", "text", " folded",
	}
	ends := []string{"\r\n", "\r\n", "\r\n", "\n", "\r\r\n", "\r"}
	var b []byte
	for n := rng.IntN(40); n > 0; n-- {
		b = append(b, lines[rng.IntN(len(lines))]...)
		b = append(b, ends[rng.IntN(len(ends))]...)
	}
	if rng.IntN(2) == 0 && len(b) > 0 {
		b = b[:rng.IntN(len(b))]
	}
	return b
}

// FuzzParseMatchesOracle: the streaming parser and the oracle agree on
// any input.
func FuzzParseMatchesOracle(f *testing.F) {
	for _, m := range diffMessages() {
		if len(m) < 1<<10 {
			f.Add([]byte(m))
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkSame(t, raw) })
}
