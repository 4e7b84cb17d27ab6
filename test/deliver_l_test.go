package test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pyDeliverL runs `deliver -C <conf> -l` with its stdin and stdout on one
// end of a socket pair and speaks LMTP on the other with smtplib.LMTP.
const pyDeliverL = `
import json, smtplib, socket, subprocess, sys
spec = json.load(sys.stdin)
a, b = socket.socketpair()
p = subprocess.Popen(spec["argv"], stdin=b.fileno(), stdout=b.fileno())
b.close()
c = smtplib.LMTP()
c.sock = a
out = {"greet": c.getreply()[0], "lhlo": c.ehlo("client.example")[0], "txs": []}
for tx in spec["txs"]:
    res = {"mail": c.mail(tx["from"])[0], "rcpt": [], "data": []}
    for r in tx["rcpts"]:
        res["rcpt"].append(c.rcpt(r)[0])
    ok = sum(1 for x in res["rcpt"] if x == 250)
    if ok:
        res["data"].append(c.data(tx["msg"].encode())[0])
        for _ in range(ok - 1):
            res["data"].append(c.getreply()[0])
    else:
        c.rset()
    out["txs"].append(res)
out["quit"] = c.quit()[0]
out["rc"] = p.wait(timeout=30)
print(json.dumps(out))
`

// TestDeliverLMTPPassThrough: deliver -l relays a whole LMTP session,
// several transactions, to lmtpd and exits when it ends.
func TestDeliverLMTPPassThrough(t *testing.T) {
	ls := newLMTPSite(t)
	ls.mkbox("user.alice", "")
	ls.mkbox("user.alice.Work", "anyone\tp\t")
	ls.mkbox("user.bob", "")
	ls.start()
	spec, _ := json.Marshal(map[string]any{
		"argv": []string{filepath.Join(binDir, "deliver"), "-C", ls.imapdConf, "-l"},
		"txs": []lmtpTx{
			{From: "carol@remote.example", Rcpts: []string{"alice", "nosuchuser"}, Msg: testMessage("l1@x", "one")},
			{From: "carol@remote.example", Rcpts: []string{"alice+Work", "bob"}, Msg: testMessage("l2@x", "two")},
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", pyDeliverL)
	cmd.Stdin = bytes.NewReader(spec)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var got struct {
		Greet, Lhlo, Quit, Rc int
		Txs                   []lmtpTxResult
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("python output %q: %v", stdout.String(), err)
	}
	if got.Greet != 220 || got.Lhlo != 250 || got.Quit != 221 || got.Rc != 0 {
		t.Errorf("session: greeting %d, LHLO %d, QUIT %d, deliver exit %d", got.Greet, got.Lhlo, got.Quit, got.Rc)
	}
	want := []lmtpTxResult{
		{Mail: 250, Rcpt: []int{250, 550}, Data: []int{250}},
		{Mail: 250, Rcpt: []int{250, 250}, Data: []int{250, 250}},
	}
	if len(got.Txs) != len(want) {
		t.Fatalf("transactions: %+v", got.Txs)
	}
	for i, w := range want {
		g := got.Txs[i]
		if g.Mail != w.Mail || !eqInts(g.Rcpt, w.Rcpt) || !eqInts(g.Data, w.Data) {
			t.Errorf("transaction %d: %+v, want %+v", i+1, g, w)
		}
	}
	for box, subject := range map[string]string{"user.alice": "one", "user.alice.Work": "two", "user.bob": "two"} {
		m := ls.messages(box)
		if len(m) != 1 || !strings.Contains(m[0], "Subject: "+subject+"\r\n") || !strings.Contains(m[0], "Return-Path: <carol@remote.example>\r\n") {
			t.Errorf("%s holds %q", box, m)
		}
	}
}

// TestDeliverLMTPDialogueOnStdin: the dialogue written to stdin at once
// (pipelined, ending without QUIT) gets lmtpd's replies on stdout.
func TestDeliverLMTPDialogueOnStdin(t *testing.T) {
	ls := newLMTPSite(t)
	ls.mkbox("user.bob", "")
	ls.start()
	dialogue := "LHLO client.example\r\nMAIL FROM:<raw@remote.example>\r\nRCPT TO:<bob>\r\nRCPT TO:<nobody>\r\nDATA\r\n" +
		"Subject: raw\r\nMessage-ID: <raw@x>\r\n\r\n..dot-stuffed line\r\n.\r\n"
	r := ls.run(dialogue, "deliver", "-l")
	if r.code != 0 {
		t.Fatalf("deliver -l: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var codes []string
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\r\n"), "\r\n") {
		if len(line) >= 4 && line[3] == ' ' {
			codes = append(codes, line[:3])
		}
	}
	if want := "220 250 250 250 550 354 250"; strings.Join(codes, " ") != want {
		t.Errorf("replies %q, want %s\n%s", codes, want, r.stdout)
	}
	if m := ls.messages("user.bob"); len(m) != 1 || !strings.Contains(m[0], "\r\n.dot-stuffed line\r\n") {
		t.Errorf("user.bob holds %q", m)
	}
}

// TestDeliverLMTPNoServer: without lmtpd the caller gets a 421 greeting
// and deliver exits EX_TEMPFAIL.
func TestDeliverLMTPNoServer(t *testing.T) {
	s := newSite(t)
	r := s.run("LHLO x\r\n", "deliver", "-l")
	if r.code != 75 || !strings.HasPrefix(r.stdout, "421 4.3.0 ") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestDeliverAndLmtpdUsage: usage errors are Cyrus's 421 reply on stderr
// and EX_USAGE.
func TestDeliverAndLmtpdUsage(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		prog   string
		args   []string
		prefix string
	}{
		{"deliver", []string{"-Z"}, "421-4.3.0 usage: deliver "},
		{"deliver", nil, "421-4.3.0 usage: deliver "},
		{"deliver", []string{"-E", "3"}, "421-4.3.0 usage: deliver "},
		{"deliver", []string{"-l", "alice"}, "421-4.3.0 usage: deliver "},
		{"lmtpd", []string{"-Z"}, "421-4.3.0 usage: lmtpd "},
		{"lmtpd", []string{"stray"}, "421-4.3.0 usage: lmtpd "},
	}
	for _, tc := range tests {
		r := s.run("", tc.prog, tc.args...)
		lines := strings.Split(strings.TrimRight(r.stderr, "\r\n"), "\n")
		n := len(lines)
		if r.code != 64 || n < 2 || !strings.HasPrefix(lines[n-2], tc.prefix) || !strings.HasPrefix(lines[n-1], "421 4.3.0 ") {
			t.Errorf("%s %v: exit %d, stderr:\n%s", tc.prog, tc.args, r.code, r.stderr)
		}
	}
}
