package test

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// mtestRun runs one of the test clients against addr with stdin as its
// script and checks each want appears in its output, and that the
// password never does.
func mtestRun(t *testing.T, prog, addr, stdin string, args []string, want ...string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	r := runBin(t, stdin, prog, append(append([]string{"-p", port}, args...), host)...)
	if r.code != 0 {
		t.Fatalf("%s %v: exit %d\n%s%s", prog, args, r.code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("%s %v: output lacks %q:\n%s", prog, args, w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "secret") {
		t.Errorf("%s %v: the password is shown:\n%s", prog, args, r.stdout)
	}
	return r.stdout
}

// imtest against imapd: AUTHENTICATE PLAIN (with SASL-IR), the LOGIN
// command (-m login), STARTTLS (-t ""), implicit TLS is pop3test's below;
// the script runs after "Authenticated." and LOGOUT ends it.
func TestImtest(t *testing.T) {
	cert := writeSelfSigned(t)
	s := newSite(t, "allowplaintext: yes", "tls_server_cert: "+cert, "tls_server_key: "+cert)
	addr := startImapd(t, s)
	script := "a1 SELECT INBOX\na2 FETCH 1 (FLAGS)\n"
	out := mtestRun(t, "imtest", addr, script, []string{"-m", "plain", "-a", "alice", "-w", "secret"},
		"S: * OK", "C: C01 CAPABILITY", "C: A01 AUTHENTICATE PLAIN <initial response>", "Authenticated.\nSecurity strength factor: 0\n",
		"* 2 EXISTS", "a1 OK", "* 1 FETCH (FLAGS", "a2 OK", "* BYE", "Q01 OK", "Connection closed.")
	if i, j := strings.Index(out, "Authenticated."), strings.Index(out, "a1 OK"); i < 0 || j < i {
		t.Errorf("script answered before authentication:\n%s", out)
	}
	mtestRun(t, "imtest", addr, "", []string{"-mlogin", "-abob", "-wsecret"},
		"C: L01 LOGIN", "Authenticated.", "Q01 OK")
	mtestRun(t, "imtest", addr, "a1 NOOP\n", []string{"-t", "", "-a", "alice", "-w", "secret", "-v"},
		"C: S01 STARTTLS", "TLS connection established: TLSv1.3", "Authenticated.\nSecurity strength factor: 1", "C: a1 NOOP", "a1 OK")
	mtestRun(t, "imtest", addr, "a1 SELECT INBOX\n", []string{"-m", "plain", "-a", "alice", "-w", "wrong"},
		"Authentication failed. A01 NO", "a1 BAD", "Connection closed.")
	// Cyrus's usage mistakes are refused, not ignored.
	if r := runBin(t, "", "imtest", "-m", "digest-md5", "-a", "alice", "-w", "x", "-p", strings.Split(addr, ":")[1], "127.0.0.1"); r.code == 0 || !strings.Contains(r.stderr, "PLAIN and login") {
		t.Errorf("unknown mechanism: %+v", r)
	}
}

// pop3test: AUTH PLAIN over implicit TLS (-s), USER/PASS (-m login)
// after STLS (-t).
func TestPop3test(t *testing.T) {
	cert := writeSelfSigned(t)
	s := newSite(t, "allowplaintext: yes", "tls_server_cert: "+cert, "tls_server_key: "+cert)
	popFixture(t, s, popMessages)
	addr := startPop3d(t, s, "-s")
	mtestRun(t, "pop3test", addr, "STAT\n", []string{"-s", "-a", "alice", "-w", "secret"},
		"TLS connection established", "C: CAPA", "C: AUTH PLAIN <initial response>", "Authenticated.", "+OK 3", "Connection closed.")

	s = newSite(t, "tls_server_cert: "+cert, "tls_server_key: "+cert)
	popFixture(t, s, popMessages)
	addr = startPop3d(t, s)
	mtestRun(t, "pop3test", addr, "LIST\n", []string{"-t", "", "-m", "login", "-a", "alice", "-w", "secret"},
		"C: STLS", "TLS connection established", "C: USER alice", "Authenticated.", "\n.\n", "Connection closed.")
}

// sivtest: capabilities from the greeting, STARTTLS and the capabilities
// again, AUTHENTICATE "PLAIN", a scripted LISTSCRIPTS.
func TestSivtest(t *testing.T) {
	cert := writeSelfSigned(t)
	s := newSite(t, "tls_server_cert: "+cert, "tls_server_key: "+cert)
	popFixture(t, s, nil)
	addr := msStartTimsieved(t, s)
	mtestRun(t, "sivtest", addr, "LISTSCRIPTS\n", []string{"-t", "", "-a", "alice", "-w", "secret"},
		`S: "IMPLEMENTATION"`, "C: STARTTLS", "TLS connection established", `C: AUTHENTICATE "PLAIN" <initial response>`,
		"Authenticated.", "OK", "Connection closed.")
}

// lmtptest: LHLO, then a scripted delivery over a UNIX socket (-x), where
// lmtpd offers no AUTH and none is made, as from Postfix.
func TestLmtptest(t *testing.T) {
	s := newSite(t)
	popFixture(t, s, nil)
	sock := filepath.Join(s.dir, "lmtp.sock")
	runLMTPD(t, s, sock) // returns once the socket answers
	script := "MAIL FROM:<carol@example.org>\nRCPT TO:<alice>\nDATA\nSubject: via lmtptest\n\nhello\n.\n"
	r := runBin(t, script, "lmtptest", "-x", sock)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"S: 220 ", "C: LHLO lmtptest", "S: 250 ", "250 2.1.5", "354 ", "250 2.1.5 Success", "221 ", "Connection closed."} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "Authenticated.") {
		t.Errorf("authenticated where nothing was offered:\n%s", r.stdout)
	}
}
