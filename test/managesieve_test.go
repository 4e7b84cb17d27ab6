package test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sieveClassic is the example from the Cyrus 2.1 documentation (issue 9).
const sieveClassic = `require ["fileinto", "reject"];
if header :contains "Subject" "[CIRCLE]" { fileinto "INBOX.Circle List"; }
if header :contains "Subject" "A great Shockwave flash movie" { reject "Possible virus? Check your system!"; }
if header :contains "Received" ".da.uu.net" { fileinto "INBOX.Junk"; }
if anyof (not address :all :contains ["To", "Cc", "Bcc"] "yourname@youraddress.com") { fileinto "INBOX.Junk"; }
`

// newSieveSite is a site with a sievedir, TLS and the sasldb user alice
// (password "s3cret"); timsieved is started on a loopback port. It returns
// the site, timsieved's address and the sievedir.
func newSieveSite(t *testing.T, extra ...string) (*site, string, string) {
	t.Helper()
	certDir := t.TempDir()
	pemPath := msWriteCert(t, certDir)
	sievedir := filepath.Join(t.TempDir(), "sieve")
	s := newSite(t, append([]string{
		"sievedir: " + sievedir,
		"tls_server_cert: " + pemPath,
		"tls_server_key: " + pemPath,
	}, extra...)...)
	s.must("s3cret\n", "saslpasswd", "-c", "-p", "alice")
	return s, msStartTimsieved(t, s), sievedir
}

func msStartTimsieved(t *testing.T, s *site) string {
	t.Helper()
	return startDaemon(t, s, "timsieved")
}

// sieveConnect runs the Debian sieve-connect client against addr as alice.
func sieveConnect(t *testing.T, addr string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("sieve-connect")
	if err != nil {
		t.Skip("needs Debian package sieve-connect")
	}
	host, port, _ := net.SplitHostPort(addr)
	base := []string{"--server", host, "--port", port, "--nosrv", "--notlsverify", "--user", "alice", "--passwordfd", "0"}
	cmd := exec.Command(bin, append(base, args...)...)
	cmd.Stdin = strings.NewReader("s3cret\n")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	done := make(chan struct{})
	timer := time.AfterFunc(30*time.Second, func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
		}
	})
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	close(done)
	return string(out), err
}

func TestSieveConnectClassicScript(t *testing.T) {
	if _, err := exec.LookPath("sieve-connect"); err != nil {
		t.Skip("needs Debian package sieve-connect")
	}
	_, addr, sievedir := newSieveSite(t)
	work := t.TempDir()
	local := filepath.Join(work, "classic.siv")
	if err := os.WriteFile(local, []byte(sieveClassic), 0o644); err != nil {
		t.Fatal(err)
	}
	step := func(args ...string) string {
		t.Helper()
		out, err := sieveConnect(t, addr, args...)
		if err != nil {
			t.Fatalf("sieve-connect %v: %v\n%s", args, err, out)
		}
		return out
	}
	step("--upload", "--localsieve", local, "--remotesieve", "classic")
	if out := step("--list"); !strings.Contains(out, "classic") || strings.Contains(out, "ACTIVE") {
		t.Errorf("list after upload:\n%s", out)
	}
	step("--activate", "--remotesieve", "classic")
	if out := step("--list"); !strings.Contains(out, "classic") || !strings.Contains(out, "ACTIVE") {
		t.Errorf("list after activate:\n%s", out)
	}
	back := filepath.Join(work, "back.siv")
	step("--download", "--remotesieve", "classic", "--localsieve", back)
	if got, err := os.ReadFile(back); err != nil || string(got) != sieveClassic {
		t.Errorf("downloaded script differs (%v):\n%q\nwant\n%q", err, got, sieveClassic)
	}
	// On disk exactly as documented: <sievedir>/a/alice/classic.script and defaultbc -> classic.bc.
	userDir := filepath.Join(sievedir, "a", "alice")
	if got, err := os.ReadFile(filepath.Join(userDir, "classic.script")); err != nil || string(got) != sieveClassic {
		t.Errorf("classic.script on disk: %v", err)
	}
	if target, err := os.Readlink(filepath.Join(userDir, "defaultbc")); err != nil || target != "classic.bc" {
		t.Errorf("defaultbc -> %q, %v", target, err)
	}
	if out, err := sieveConnect(t, addr, "--delete", "--remotesieve", "classic"); err == nil {
		t.Errorf("deleting the active script succeeded:\n%s", out)
	}
	step("--deactivate")
	step("--delete", "--remotesieve", "classic")
	if out := step("--list"); strings.Contains(out, "classic") {
		t.Errorf("list after delete:\n%s", out)
	}
	// A script that does not compile is refused with the parser's line.
	bad := filepath.Join(work, "bad.siv")
	os.WriteFile(bad, []byte("require \"fileinto\";\nif true {\n  fileinto \"x\"\n}\n"), 0o644)
	out, err := sieveConnect(t, addr, "--upload", "--localsieve", bad, "--remotesieve", "bad")
	if err == nil || !strings.Contains(out, "line 4") {
		t.Errorf("uploading a bad script: %v\n%s", err, out)
	}
	if out := step("--list"); strings.Contains(out, "bad") {
		t.Errorf("bad script installed:\n%s", out)
	}
}

// msConn is a raw ManageSieve client.
type msConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func msDial(t *testing.T, addr string) *msConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m := &msConn{t: t, c: c, r: bufio.NewReader(c)}
	m.read() // the greeting
	return m
}

// read returns the lines up to the next OK/NO/BYE, literals inlined.
func (m *msConn) read() string {
	m.t.Helper()
	m.c.SetReadDeadline(time.Now().Add(hangTimeout))
	var b strings.Builder
	for {
		line, err := m.r.ReadString('\n')
		if err != nil {
			m.t.Fatalf("read after %q: %v", b.String(), err)
		}
		b.WriteString(line)
		var n int
		if _, err := fmt.Sscanf(line[strings.LastIndexByte(line+"{", '{'):], "{%d}", &n); err == nil && strings.HasSuffix(line, "}\r\n") {
			buf := make([]byte, n)
			if _, err := io.ReadFull(m.r, buf); err != nil {
				m.t.Fatal(err)
			}
			b.Write(buf)
			continue
		}
		if strings.HasPrefix(line, "OK") || strings.HasPrefix(line, "NO") || strings.HasPrefix(line, "BYE") {
			return b.String()
		}
	}
}

func (m *msConn) cmd(s string) string {
	m.t.Helper()
	if _, err := io.WriteString(m.c, s+"\r\n"); err != nil {
		m.t.Fatal(err)
	}
	return m.read()
}

func (m *msConn) put(name, src string) string {
	return m.cmd(fmt.Sprintf("PUTSCRIPT %q {%d+}\r\n%s", name, len(src), src))
}

func TestTimsievedErrorReplies(t *testing.T) {
	_, addr, _ := newSieveSite(t, "allowplaintext: 1", "sieve_maxscripts: 2", "sieve_maxscriptsize: 1")
	m := msDial(t, addr)
	if got := m.cmd("LISTSCRIPTS"); got != "NO \"Authenticate first\"\r\n" {
		t.Errorf("before auth: %q", got)
	}
	bad := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00wrong"))
	if got := m.cmd(`AUTHENTICATE "PLAIN" "` + bad + `"`); got != "NO \"Authentication Error\"\r\n" {
		t.Errorf("wrong password: %q", got)
	}
	ir := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00s3cret"))
	if got := m.cmd(`AUTHENTICATE "PLAIN" "` + ir + `"`); got != "OK\r\n" {
		t.Fatalf("login: %q", got)
	}
	tests := []struct{ name, src, want string }{
		{"bad", "require \"fileinto\";\nfileinto \"x\"\n", `NO "line 3 column 1: `},
		{"ext", "require \"nosuchext\";\nkeep;\n", `NO "line 1 column 9: `},
		{"big", strings.Repeat("#", 1025), "NO (QUOTA/MAXSIZE) \"Script size is too large. Max script size is 1024 bytes\"\r\n"},
		{"", "keep;", "NO \"Invalid script name\"\r\n"},
		{"a/b", "keep;", "NO \"Invalid script name\"\r\n"},
		{strings.Repeat("n", 1024), "keep;", "NO \"Invalid script name\"\r\n"},
		{"one", "keep;", "OK\r\n"},
		{"two", "discard;", "OK\r\n"},
		{"three", "keep;", "NO (QUOTA/MAXSCRIPTS) \"You are only allowed 2 scripts on this server\"\r\n"},
		{"one", "stop;", "OK\r\n"},
	}
	for _, tt := range tests {
		if got := m.put(tt.name, tt.src); !strings.HasPrefix(got, tt.want) {
			t.Errorf("PUTSCRIPT %.20q: %q, want %q", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct{ cmd, want string }{
		{`SETACTIVE "one"`, "OK\r\n"},
		{`DELETESCRIPT "one"`, "NO (ACTIVE) \"Active script cannot be deleted\"\r\n"},
		{`GETSCRIPT "zz"`, "NO (NONEXISTENT) \"Script does not exist\"\r\n"},
		{`RENAMESCRIPT "one" "two"`, "NO (ALREADYEXISTS) \"Script two already exists.\"\r\n"},
		{`HAVESPACE "new" 10`, "NO (QUOTA/MAXSCRIPTS) \"You are only allowed 2 scripts on this server\"\r\n"},
		{`HAVESPACE "one" 2000`, "NO (QUOTA/MAXSIZE) \"Script size is too large. Max script size is 1024 bytes\"\r\n"},
		{`GETSCRIPT "one"`, "{5}\r\nstop;\r\nOK\r\n"},
		{`NOOP "sync"`, "OK (TAG \"sync\") \"Done\"\r\n"},
		{"CHECKSCRIPT {5+}\r\nkeep;", "OK\r\n"},
		{"CHECKSCRIPT {6+}\r\nkeep;}", "NO \"line 1 column 6: "},
		{`DELETESCRIPT "missing"`, "NO (NONEXISTENT) \"Script does not exist\"\r\n"},
		{`RENAMESCRIPT "two" "renamed"`, "OK\r\n"},
	} {
		if got := m.cmd(tt.cmd); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%.30q: %q, want %q", tt.cmd, got, tt.want)
		}
	}
	if got := m.cmd("LISTSCRIPTS"); got != "\"one\" ACTIVE\r\n\"renamed\"\r\nOK\r\n" {
		t.Errorf("LISTSCRIPTS: %q", got)
	}
	if got := m.cmd("LOGOUT"); got != "OK \"Logout Complete\"\r\n" {
		t.Errorf("LOGOUT: %q", got)
	}
}

func TestSieveCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.siv")
	bad := filepath.Join(dir, "bad.siv")
	os.WriteFile(good, []byte(sieveClassic), 0o644)
	os.WriteFile(bad, []byte("require \"fileinto\";\nif true {\n  fileinto \"x\"\n}\n"), 0o644)
	r := runBin(t, "", "sieve-check", good)
	if r.code != 0 || r.stdout != good+": OK\n" {
		t.Errorf("good script: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, "", "sieve-check", good, bad)
	if r.code != 1 || !strings.Contains(r.stdout, bad+":4:1: ") {
		t.Errorf("bad script: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	s := newSite(t, "sieve_extensions: fileinto")
	r = s.run("", "sieve-check", good)
	if r.code != 1 || !strings.Contains(r.stdout, good+":1:") {
		t.Errorf("reject outside sieve_extensions: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, "", "sieve-check"); r.code != 2 {
		t.Errorf("no arguments: exit %d", r.code)
	}
}

func TestTimsievedRefusesSieveusehomedir(t *testing.T) {
	s := newSite(t, "sieveusehomedir: 1")
	r := runBin(t, "", "timsieved", "-C", s.imapdConf, "-l", "127.0.0.1:0")
	if r.code == 0 || !strings.Contains(r.stderr, "sieveusehomedir") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// msWriteCert writes a self-signed certificate and key for 127.0.0.1 into
// one PEM file and returns its path.
func msWriteCert(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sieve.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
