package test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

// popMessages are the fixture messages: plain, dot-stuffing, no final CRLF.
var popMessages = []string{
	"Subject: one\r\nFrom: a@example.org\r\n\r\nline 1\r\nline 2\r\n",
	"Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n",
	"Subject: three\r\n\r\nno final line end",
}

// popFixture creates user alice (password "secret") with the messages in
// her INBOX, working on the databases offline, and returns the UIDVALIDITY
// and UIDs.
func popFixture(t *testing.T, s *site, msgs []string) (uint32, []uint32) {
	t.Helper()
	return popFixtureFor(t, s, "alice", msgs)
}

// popFixtureFor is popFixture for any user (password "secret").
func popFixtureFor(t *testing.T, s *site, user string, msgs []string) (uint32, []uint32) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.LoadImapd(s.imapdConf)
	if err != nil {
		t.Fatal(err)
	}
	db, err := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sasldb.New(db).SetPassword(ctx, user, "secret", true); err != nil {
		t.Fatal(err)
	}
	st, err := store.New(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMailbox(ctx, "user."+user, store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mb, _, err := st.Open(ctx, "user."+user, quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	var uids []uint32
	for len(msgs) > 0 { // batches keep each commit small
		n := min(len(msgs), 500)
		var am []mailbox.AppendMessage
		for _, m := range msgs[:n] {
			am = append(am, mailbox.AppendMessage{Body: strings.NewReader(m)})
		}
		u, err := mb.Append(ctx, am)
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, u...)
		msgs = msgs[n:]
	}
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return v.UIDValidity, uids
}

// startPop3d runs pop3d on a free loopback port and returns its address.
func startPop3d(t *testing.T, s *site, extraArgs ...string) string {
	t.Helper()
	return startDaemon(t, s, "pop3d", extraArgs...)
}

// runPython runs a python3 script with args and decodes its JSON output.
func runPython(t *testing.T, script string, out any, args ...string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("needs python3")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{"-c", script}, args...)...)
	b, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("python: %v\n%s", err, stderr)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("python output %q: %v", b, err)
	}
}

const poplibScript = `
import json, poplib, ssl, sys
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = {}
if mode == "ssl":
    ctx = ssl.create_default_context(cafile=sys.argv[4])
    ctx.check_hostname = False
    p = poplib.POP3_SSL(host, port, context=ctx, timeout=20)
else:
    p = poplib.POP3(host, port, timeout=20)
out["welcome"] = p.getwelcome().decode()
out["capa"] = sorted(p.capa().keys())
if mode == "stls":
    ctx = ssl.create_default_context(cafile=sys.argv[4])
    ctx.check_hostname = False
    p.stls(context=ctx)
    out["capa_tls"] = sorted(p.capa().keys())
if mode == "badpass":
    p.user("alice")
    try:
        p.pass_("wrong")
        out["error"] = ""
    except poplib.error_proto as e:
        out["error"] = e.args[0].decode()
    print(json.dumps(out)); sys.exit(0)
p.user("alice")
out["pass"] = p.pass_("secret").decode()
out["stat"] = list(p.stat())
out["list"] = [l.decode() for l in p.list()[1]]
out["uidl"] = [l.decode() for l in p.uidl()[1]]
out["retr"] = [b"\r\n".join(p.retr(i)[1]).decode() for i in range(1, out["stat"][0] + 1)]
out["top"] = b"\r\n".join(p.top(1, 1)[1]).decode()
out["dele"] = p.dele(1).decode()
out["quit"] = p.quit().decode()
print(json.dumps(out))
`

func TestPop3Poplib(t *testing.T) {
	s := newSite(t, "allowplaintext: 1", "servername: pop.test")
	uv, uids := popFixture(t, s, popMessages)
	addr := startPop3d(t, s)
	host, port, _ := net.SplitHostPort(addr)
	var out struct {
		Welcome, Pass, Top, Dele, Quit string
		Capa                           []string
		Stat                           []int
		List, UIDL, Retr               []string
	}
	runPython(t, poplibScript, &out, host, port, "plain")
	if !strings.HasPrefix(out.Welcome, "+OK pop.test Cyrus POP3 ") || !strings.Contains(out.Welcome, "server ready") {
		t.Errorf("greeting %q", out.Welcome)
	}
	if got := strings.Join(out.Capa, " "); !strings.Contains(got, "UIDL") || !strings.Contains(got, "USER") || !strings.Contains(got, "SASL") {
		t.Errorf("CAPA %s", got)
	}
	total := 0
	for i, m := range popMessages {
		total += len(m)
		if want := fmt.Sprintf("%d %d", i+1, len(m)); out.List[i] != want {
			t.Errorf("LIST line %q, want %q", out.List[i], want)
		}
		if want := fmt.Sprintf("%d %d.%d", i+1, uv, uids[i]); out.UIDL[i] != want {
			t.Errorf("UIDL line %q, want %q", out.UIDL[i], want)
		}
		// poplib splits lines and undoes the dot-stuffing.
		if want := strings.TrimSuffix(m, "\r\n"); out.Retr[i] != want {
			t.Errorf("RETR %d = %q, want %q", i+1, out.Retr[i], want)
		}
	}
	if out.Stat[0] != 3 || out.Stat[1] != total {
		t.Errorf("STAT %v", out.Stat)
	}
	if out.Top != "Subject: one\r\nFrom: a@example.org\r\n\r\nline 1" {
		t.Errorf("TOP 1 1 = %q", out.Top)
	}
	if !strings.HasPrefix(out.Pass, "+OK Mailbox locked and ready") || out.Quit != "+OK" {
		t.Errorf("PASS %q QUIT %q", out.Pass, out.Quit)
	}
	// DELE + QUIT expunged message 1: a new session sees two.
	runPython(t, poplibScript, &out, host, port, "plain")
	if out.Stat[0] != 2 || out.UIDL[0] != fmt.Sprintf("1 %d.%d", uv, uids[1]) {
		t.Errorf("after DELE+QUIT: STAT %v UIDL %v", out.Stat, out.UIDL)
	}
	var bad struct{ Error string }
	runPython(t, poplibScript, &bad, host, port, "badpass")
	if bad.Error != "-ERR [AUTH] Invalid login" {
		t.Errorf("bad password: %q", bad.Error)
	}
}

func TestPop3PoplibSTLS(t *testing.T) {
	certFile := writeSelfSigned(t)
	s := newSite(t, "servername: pop.test", "tls_server_cert: "+certFile, "tls_server_key: "+certFile)
	popFixture(t, s, popMessages)
	addr := startPop3d(t, s)
	host, port, _ := net.SplitHostPort(addr)
	var out struct {
		CapaTLS []string `json:"capa_tls"`
		Stat    []int
	}
	var before struct{ Capa []string }
	runPython(t, poplibScript, &before, host, port, "stls", certFile)
	runPython(t, poplibScript, &out, host, port, "stls", certFile)
	if got := strings.Join(before.Capa, " "); !strings.Contains(got, "STLS") || strings.Contains(got, "USER") {
		t.Errorf("CAPA before TLS without allowplaintext: %s", got)
	}
	if got := strings.Join(out.CapaTLS, " "); strings.Contains(got, "STLS") || !strings.Contains(got, "USER") {
		t.Errorf("CAPA under TLS: %s", got)
	}
	if len(out.Stat) != 2 || out.Stat[0] != 2 { // the first run DELE'd one
		t.Errorf("STAT over TLS: %v", out.Stat)
	}
}

func TestPop3ImplicitTLS(t *testing.T) {
	certFile := writeSelfSigned(t)
	s := newSite(t, "tls_server_cert: "+certFile, "tls_server_key: "+certFile)
	popFixture(t, s, popMessages)
	addr := startPop3d(t, s, "-s")
	host, port, _ := net.SplitHostPort(addr)
	var out struct {
		Capa []string
		Stat []int
		Quit string
	}
	runPython(t, poplibScript, &out, host, port, "ssl", certFile)
	if got := strings.Join(out.Capa, " "); strings.Contains(got, "STLS") || !strings.Contains(got, "USER") {
		t.Errorf("CAPA under implicit TLS: %s", got)
	}
	if len(out.Stat) != 2 || out.Stat[0] != 3 || out.Quit != "+OK" {
		t.Errorf("STAT %v QUIT %q", out.Stat, out.Quit)
	}
}

func TestPop3Curl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("needs Debian package curl")
	}
	s := newSite(t, "allowplaintext: 1")
	popFixture(t, s, popMessages)
	addr := startPop3d(t, s)
	get := func(path string, extra ...string) string {
		t.Helper()
		args := append([]string{"-sS", "--max-time", "20", "-u", "alice:secret", "pop3://" + addr + path}, extra...)
		out, err := exec.Command(curl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %s: %v\n%s", path, err, out)
		}
		return string(out)
	}
	if got, want := get("/"), fmt.Sprintf("1 %d\r\n2 %d\r\n3 %d\r\n", len(popMessages[0]), len(popMessages[1]), len(popMessages[2])); got != want {
		t.Errorf("curl list = %q, want %q", got, want)
	}
	for i, m := range popMessages {
		want := m
		if !strings.HasSuffix(want, "\r\n") {
			want += "\r\n"
		}
		if got := get(fmt.Sprintf("/%d", i+1)); got != want {
			t.Errorf("curl RETR %d = %q, want %q", i+1, got, want)
		}
	}
	get("/1", "-X", "DELE", "-I")
	if got := get("/"); strings.Count(got, "\r\n") != 2 || strings.HasPrefix(got, "1 "+fmt.Sprint(len(popMessages[0]))) {
		t.Errorf("after curl DELE: %q", got)
	}
	out, err := exec.Command(curl, "-sS", "--max-time", "20", "-u", "alice:wrong", "pop3://"+addr+"/").CombinedOutput()
	if err == nil {
		t.Errorf("curl with a wrong password succeeded: %s", out)
	}
}

// writeSelfSigned writes a PEM file holding a self-signed certificate for
// pop.test and its key.
func writeSelfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pop.test"}, DNSNames: []string{"pop.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pop.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
