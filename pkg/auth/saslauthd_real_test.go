package auth

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSaslauthdRealDaemon runs Debian's saslauthd (package sasl2-bin) with
// its rimap mechanism, which checks passwords by logging in to an IMAP
// server — here a small one inside the test. That exercises the real
// daemon's socket protocol without touching system users or /etc.
func TestSaslauthdRealDaemon(t *testing.T) {
	bin := findSaslauthd()
	if bin == "" {
		t.Skip("needs Debian package sasl2-bin")
	}
	users := map[string]string{"alice": `wonder "land" \ ok`, "bob": "b0b"}
	imapAddr := startFakeIMAP(t, users)

	dir := t.TempDir()
	cmd := exec.Command(bin, "-a", "rimap", "-O", imapAddr, "-m", dir, "-n", "1", "-d")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(dir, "saslauthd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// saslauthd forks its workers into our process group.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	mux := filepath.Join(dir, "mux")
	deadline := time.Now().Add(hangTimeout)
	for {
		if c, err := net.Dial("unix", mux); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("saslauthd did not start listening on %s:\n%s", mux, b)
		}
		time.Sleep(20 * time.Millisecond)
	}

	a := newTestAuth(t, testConfig(t, "sasl_pwcheck_method", "saslauthd", "sasl_saslauthd_path", mux,
		"client_timeout", "20s"), Options{Service: "imap"})
	ctx := context.Background()
	tests := []struct {
		user, pw string
		ok       bool
	}{
		{"alice", users["alice"], true},
		{"ALICE", users["alice"], true},
		{"alice", "wonder land", false},
		{"bob", "b0b", true},
		{"bob", "B0B", false},
		{"carol", "x", false},
	}
	for _, tc := range tests {
		res, err := a.CheckPassword(ctx, tlsConn, tc.user, tc.pw)
		if tc.ok && (err != nil || res.User != strings.ToLower(tc.user)) {
			b, _ := os.ReadFile(logf.Name())
			t.Errorf("%s: %+v %v\nsaslauthd log:\n%s", tc.user, res, err, b)
		}
		if !tc.ok {
			wantErr(t, tc.user+" with a wrong password", err, ErrAuthFailed)
		}
	}
}

func findSaslauthd() string {
	if p, err := exec.LookPath("saslauthd"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/saslauthd", "/usr/local/sbin/saslauthd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// startFakeIMAP serves just enough IMAP for saslauthd's rimap: a greeting,
// "tag LOGIN user pass" (quoted strings or literals) and LOGOUT. It
// returns "127.0.0.1/port", rimap's -O form.
func startFakeIMAP(t *testing.T, users map[string]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveFakeIMAP(c, users)
		}
	}()
	return "127.0.0.1/" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func serveFakeIMAP(c net.Conn, users map[string]string) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	fmt.Fprint(c, "* OK fake IMAP ready\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		tag, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		cmd, args, _ := strings.Cut(rest, " ")
		switch strings.ToUpper(cmd) {
		case "LOGIN":
			user, args, err1 := imapString(args, r, c)
			pass, _, err2 := imapString(strings.TrimPrefix(args, " "), r, c)
			if err1 == nil && err2 == nil && users[user] == pass && pass != "" {
				fmt.Fprintf(c, "%s OK logged in\r\n", tag)
			} else {
				fmt.Fprintf(c, "%s NO [AUTHENTICATIONFAILED] invalid credentials\r\n", tag)
			}
		case "LOGOUT":
			fmt.Fprintf(c, "* BYE\r\n%s OK\r\n", tag)
			return
		default:
			fmt.Fprintf(c, "%s BAD unknown command\r\n", tag)
		}
	}
}

// imapString reads a quoted string, a literal or an atom from s (reading
// a literal's bytes, and the line after it, from r).
func imapString(s string, r *bufio.Reader, w io.Writer) (val, rest string, err error) {
	switch {
	case strings.HasPrefix(s, `"`):
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
				if i < len(s) {
					b.WriteByte(s[i])
				}
			case '"':
				return b.String(), s[i+1:], nil
			default:
				b.WriteByte(s[i])
			}
		}
		return "", "", fmt.Errorf("unterminated quoted string")
	case strings.HasPrefix(s, "{"):
		end := strings.IndexByte(s, '}')
		n, err := strconv.Atoi(strings.TrimSuffix(s[1:max(end, 1)], "+"))
		if end < 0 || err != nil || n > 4096 {
			return "", "", fmt.Errorf("bad literal")
		}
		if !strings.HasSuffix(s[1:end], "+") {
			fmt.Fprint(w, "+ go ahead\r\n")
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", "", err
		}
		line, err := r.ReadString('\n')
		return string(b), strings.TrimRight(line, "\r\n"), err
	default:
		val, rest, _ = strings.Cut(s, " ")
		return val, " " + rest, nil
	}
}
