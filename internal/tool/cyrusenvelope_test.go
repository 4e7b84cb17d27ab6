package tool

import (
	"testing"
	"time"
)

// TestCyrusEnvelope checks the cases captured from Cyrus 3.6.1
// (test/compat/fixtures/unexpunge.txt).
func TestCyrusEnvelope(t *testing.T) {
	recv := time.Date(2026, 11, 4, 11, 0, 0, 0, time.Local)
	full := []byte("Date: Tue, 03 Nov 2026 10:00:00 +0000\r\nFrom: Bob Example <bob@example.org>\r\n" +
		"To: alice@example.org\r\nCc: carol@example.org,\r\n \"D. Q\" <dq@example.org>\r\nSubject: full \"headers\"\r\n")
	sent, shown := CyrusEnvelope(full, recv)
	if want := time.Date(2026, 11, 3, 0, 0, 0, 0, time.Local); !sent.Equal(want) {
		t.Errorf("sent %v, want %v", sent, want)
	}
	for key, want := range map[string]string{
		"From": "Bob Example <bob@example.org>", "To": "<alice@example.org>",
		"Cc": "<carol@example.org>, D. Q <dq@example.org>", "Bcc": "", "Subject": `"full \"headers\""`,
	} {
		if got := shown.Get(key); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	sent, shown = CyrusEnvelope([]byte("X-Only: x\r\n"), recv)
	if want := time.Date(2026, 11, 4, 0, 0, 0, 0, time.Local); !sent.Equal(want) || shown.Get("Subject") != "NIL" || shown.Get("From") != "" {
		t.Errorf("no headers: sent %v, %v", sent, shown)
	}
	if _, shown = CyrusEnvelope([]byte("Subject: caf\xc3\xa9\r\n"), recv); shown.Get("Subject") != "{5}\r\ncaf\xc3\xa9" {
		t.Errorf("8-bit subject: %q", shown.Get("Subject"))
	}
}
