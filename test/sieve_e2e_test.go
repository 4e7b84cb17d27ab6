package test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/sievescripts"
)

// TestSieveEndToEnd is issue 9's "done when": the Cyrus 2.1 documentation's
// script uploaded and activated with the real sieve-connect through our
// timsieved, then messages delivered with Python's smtplib.LMTP through
// our lmtpd, both daemons sharing one site's databases (served by this
// process). It files, rejects and keeps as it says, with altnamespace off
// (names as written) and on.
func TestSieveEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("sieve-connect"); err != nil {
		t.Skip("needs Debian package sieve-connect")
	}
	for _, tc := range []struct {
		alt          string
		circle, junk string // the folders as the script names them
	}{
		{"altnamespace: 0", "INBOX.Circle List", "INBOX.Junk"},
		{"altnamespace: 1", "Circle List", "Junk"},
	} {
		t.Run(tc.alt, func(t *testing.T) {
			dir := t.TempDir()
			pemPath := msWriteCert(t, dir)
			sendmailLog := filepath.Join(dir, "sendmail.log")
			sendmail := filepath.Join(dir, "sendmail")
			if err := os.WriteFile(sendmail, fmt.Appendf(nil, fakeSendmail, sendmailLog), 0o755); err != nil {
				t.Fatal(err)
			}
			ls := newLMTPSite(t, tc.alt, "unixhierarchysep: 0", "servername: localhost",
				"sievedir: "+filepath.Join(dir, "sieve"), "sendmail: "+sendmail,
				"tls_server_cert: "+pemPath, "tls_server_key: "+pemPath)
			ls.must("s3cret\n", "saslpasswd", "-c", "-p", "alice")
			for _, box := range []string{"user.alice", "user.alice.Circle List", "user.alice.Junk"} {
				ls.mkbox(box, "")
			}

			// Upload and activate with the real client.
			addr := msStartTimsieved(t, ls.site)
			script := fmt.Sprintf(classicScript, tc.circle, tc.junk, tc.junk)
			if tc.circle == "INBOX.Circle List" && script != sieveClassic {
				t.Fatalf("the script differs from the documentation's:\n%s", script)
			}
			local := filepath.Join(dir, "classic.siv")
			if err := os.WriteFile(local, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"--upload", "--localsieve", local, "--remotesieve", "classic"},
				{"--activate", "--remotesieve", "classic"},
			} {
				if out, err := sieveConnect(t, addr, args...); err != nil {
					t.Fatalf("sieve-connect %v: %v\n%s", args, err, out)
				}
			}
			if out, err := sieveConnect(t, addr, "--list"); err != nil || !strings.Contains(out, "classic") || !strings.Contains(out, "ACTIVE") {
				t.Fatalf("sieve-connect --list: %v\n%s", err, out)
			}

			// Deliver through lmtpd.
			ls.start()
			me := "yourname@youraddress.com"
			from := "bob@remote.example"
			res := pySend(t, ls.unix,
				lmtpTx{From: from, Rcpts: []string{"alice"}, Msg: classicMessage("e1@x", "[CIRCLE] meeting", me, "")},
				lmtpTx{From: from, Rcpts: []string{"alice"}, Msg: classicMessage("e2@x", "A great Shockwave flash movie", me, "")},
				lmtpTx{From: from, Rcpts: []string{"alice"}, Msg: classicMessage("e3@x", "relayed", me, "from mx1.da.uu.net by mx.example")},
				lmtpTx{From: from, Rcpts: []string{"alice"}, Msg: classicMessage("e4@x", "not for me", "other@else.example", "")},
				lmtpTx{From: from, Rcpts: []string{"alice"}, Msg: classicMessage("e5@x", "hello", me, "")},
			)
			want := [][]int{{250}, {550}, {250}, {250}, {250}}
			for i, r := range res {
				if !eqInts(r.Data, want[i]) {
					t.Errorf("message %d: DATA replies %v, want %v", i+1, r.Data, want[i])
				}
			}
			for box, subjects := range map[string][]string{
				"user.alice.Circle List": {"[CIRCLE] meeting"},
				"user.alice.Junk":        {"relayed", "not for me"},
				"user.alice":             {"hello"},
			} {
				got := ls.messages(box)
				if len(got) != len(subjects) {
					t.Errorf("%s holds %d messages, want %d", box, len(got), len(subjects))
					continue
				}
				for i, s := range subjects {
					if !strings.Contains(got[i], "Subject: "+s+"\r\n") {
						t.Errorf("%s message %d is not %q:\n%s", box, i+1, s, got[i])
					}
				}
			}
			// The reject was an LMTP 550 (sieve_use_lmtp_reject), not a bounce.
			if b, err := os.ReadFile(sendmailLog); err == nil {
				t.Errorf("sendmail was called:\n%s", b)
			}
		})
	}
}

// TestSieveSharedFolderScript: lmtpd runs the global script named by a
// shared mailbox's /vendor/cmu/cyrus-imapd/sieve annotation for the
// deliveries to it (docs/CYRUS-BEHAVIOUR.md §5.6).
func TestSieveSharedFolderScript(t *testing.T) {
	ss := newSieveLMTPSite(t, "unixhierarchysep: 1")
	ss.mkbox("board", "anyone\tp\t")
	ss.mkbox("board.urgent", "anyone\tp\t")
	global, err := sievescripts.FromConfig(ss.st.Config()).GlobalDir("")
	if err != nil {
		t.Fatal(err)
	}
	src := `require ["fileinto", "reject"];
if header :contains "Subject" "urgent" { fileinto "board/urgent"; }
elsif header :contains "Subject" "spam" { reject "not on this board"; }
`
	if err := global.Put("boardrules", []byte(src)); err != nil {
		t.Fatal(err)
	}
	if err := ss.st.SetMetadata(t.Context(), "board", "/vendor/cmu/cyrus-imapd/sieve", "", []byte("boardrules")); err != nil {
		t.Fatal(err)
	}
	ss.start()
	res := pySend(t, ss.tcp,
		lmtpTx{From: "bob@remote.example", Rcpts: []string{"+board"}, Msg: testMessage("b1@x", "urgent: fire drill")},
		lmtpTx{From: "bob@remote.example", Rcpts: []string{"+board"}, Msg: testMessage("b2@x", "spam offer")},
		lmtpTx{From: "bob@remote.example", Rcpts: []string{"+board"}, Msg: testMessage("b3@x", "lunch")},
	)
	for i, want := range []int{250, 550, 250} {
		if !eqInts(res[i].Data, []int{want}) {
			t.Errorf("message %d: DATA replies %v, want %d", i+1, res[i].Data, want)
		}
	}
	for box, subject := range map[string]string{"board": "lunch", "board.urgent": "urgent: fire drill"} {
		if m := ss.messages(box); len(m) != 1 || !strings.Contains(m[0], "Subject: "+subject+"\r\n") {
			t.Errorf("%s holds %q, want %q", box, m, subject)
		}
	}
}
