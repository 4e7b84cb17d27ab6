package test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
)

// TestCyrusConfFilesStart (issue 16): master starts on the seed-era cyrus.conf, on Debian's
// stock Cyrus 3.6 cyrus.conf and imapd.conf, and on a site's files with fud, with only their
// paths moved under a test directory (test/compat/conf/README.md), and every service answers:
// IMAP (a login), POP3, LMTP (a delivery), ManageSieve, and fud queried over UDP in its wire
// format. Entries naming programs gocyrus does not ship are reported once, by file:line.
func TestCyrusConfFilesStart(t *testing.T) {
	for _, tc := range []struct {
		dir        string
		notShipped []string // "<line>: ... names <prog>" expected in master's log
		logged     []string // more lines master's log must hold
	}{
		{dir: "debian-3.6",
			notShipped: []string{`cyrus.conf:35: SERVICES entry \"nntp\" names nntpd`, `cyrus.conf:37: SERVICES entry \"http\" names httpd`,
				`cyrus.conf:52: SERVICES entry \"notify\" names notifyd`},
			logged: []string{"tls_prune: nothing to prune"}},
		{dir: "cyrus-2.1", logged: []string{"idled: nothing to do", "tls_prune: nothing to prune"}},
		{dir: "site-fud", logged: []string{"idled: nothing to do"}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			m := startMasterOnConf(t, filepath.Join("compat", "conf", tc.dir))
			if fuds := m.checkServices(t); fuds == 0 && tc.dir != "debian-3.6" {
				t.Error("no fud entry was queried")
			}
			for _, want := range append(tc.notShipped, tc.logged...) {
				m.waitLog(t, want)
			}
			if n := strings.Count(m.out.String(), "which gocyrus does not ship"); n != len(tc.notShipped) {
				t.Errorf("%d entries reported as not shipped, want %d", n, len(tc.notShipped))
			}
		})
	}
}

type confMaster struct {
	root, imapdConf, cyrusConf string
	cc                         *config.CyrusConf
	out                        *syncWriter
}

type syncWriter struct {
	mu sync.Mutex
	sb strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sb.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sb.String()
}

var listenRE = regexp.MustCompile(`listen="([^"/][^"]*)"`)

// moveConf is the only change made to a stock file: /var/ and /run/ paths go under root, and
// each network listen= becomes a free loopback port of its protocol.
func moveConf(t *testing.T, text, root string) string {
	text = strings.NewReplacer(" /var/", " "+root+"/var/", "\"/var/", "\""+root+"/var/",
		" /run/", " "+root+"/run/", "\"/run/", "\""+root+"/run/").Replace(text)
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			udp := strings.Contains(line, `proto="udp`)
			line = listenRE.ReplaceAllStringFunc(line, func(string) string {
				if udp {
					return `listen="` + freeUDPAddr(t) + `"`
				}
				return `listen="` + freeAddr(t) + `"`
			})
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func freeUDPAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().String()
}

// startMasterOnConf copies dir's files with their paths moved, makes the directories a
// package install would have made, gives user joe a password and an INBOX whose ACL lets fud
// answer for it, and starts master on them.
func startMasterOnConf(t *testing.T, dir string) *confMaster {
	t.Helper()
	m := prepareConf(t, dir)
	m.start(t, filepath.Join(binDir, "master"))
	return m
}

// prepareConf is startMasterOnConf without starting master.
func prepareConf(t *testing.T, dir string) *confMaster {
	t.Helper()
	root := t.TempDir()
	m := &confMaster{root: root, imapdConf: filepath.Join(root, "imapd.conf"), cyrusConf: filepath.Join(root, "cyrus.conf"), out: &syncWriter{}}
	for src, dst := range map[string]string{"imapd.conf": m.imapdConf, "cyrus.conf": m.cyrusConf} {
		b, err := os.ReadFile(filepath.Join(dir, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(moveConf(t, string(b), root)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.LoadImapd(m.imapdConf)
	if err != nil {
		t.Fatal(err)
	}
	if m.cc, err = config.LoadCyrusConf(m.cyrusConf); err != nil {
		t.Fatal(err)
	}
	dirs := []string{cfg.Configdirectory(), filepath.Join(cfg.Configdirectory(), "socket")}
	for _, p := range cfg.Partitions() {
		dirs = append(dirs, p)
	}
	for _, e := range m.cc.Services {
		if strings.HasPrefix(e.Listen, "/") {
			dirs = append(dirs, filepath.Dir(e.Listen))
		}
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	s := &site{t: t, dir: root, configdir: cfg.Configdirectory(), imapdConf: m.imapdConf}
	st, closeStore := s.openStore(t)
	ctx := context.Background()
	if err := sasldb.New(st.DB()).SetPassword(ctx, "joe", "secret", true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMailbox(ctx, "user.joe", store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ModifyMailbox(ctx, "user.joe", func(e *store.Entry) error {
		a, err := e.ACL.Apply("anonymous", "0", 'x')
		e.ACL = a
		return err
	}); err != nil {
		t.Fatal(err)
	}
	closeStore()
	return m
}

// start runs the master binary at masterPath in the foreground on m's files and waits until it
// is ready for work; it is stopped at cleanup.
func (m *confMaster) start(t *testing.T, masterPath string) {
	t.Helper()
	cmd := exec.Command(masterPath, "-C", m.imapdConf, "-M", m.cyrusConf, "-p", filepath.Join(m.root, "master.pid"))
	cmd.Stdout, cmd.Stderr = m.out, m.out
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(hangTimeout):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("master output:\n%s", m.out)
		}
	})
	for deadline := time.Now().Add(hangTimeout); !strings.Contains(m.out.String(), "ready for work"); {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("master exited: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("master not ready")
		}
	}
}

func (m *confMaster) waitLog(t *testing.T, want string) {
	t.Helper()
	for deadline := time.Now().Add(hangTimeout); !strings.Contains(m.out.String(), want); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("master's log lacks %q", want)
		}
	}
}

// checkServices talks to every service the file runs, by the program it names: LMTP first (a
// delivery to joe), so that fud then has a message to count.
// It returns how many fud sockets it queried.
func (m *confMaster) checkServices(t *testing.T) int {
	t.Helper()
	byProg := map[string][]service.Addr{}
	for _, e := range m.cc.Services {
		prog := filepath.Base(e.Cmd[0])
		if prog == "cyrus" && len(e.Cmd) > 1 {
			prog = e.Cmd[1]
		}
		a, err := service.ParseListen(e.Listen, e.Proto, e.Name)
		if err != nil {
			t.Fatal(err)
		}
		byProg[prog] = append(byProg[prog], a)
	}
	for _, prog := range []string{"imapd", "pop3d", "lmtpd", "timsieved"} {
		if len(byProg[prog]) == 0 {
			t.Fatalf("the file runs no %s", prog)
		}
	}
	delivered := 0
	for _, a := range byProg["lmtpd"] {
		lmtpDeliverTo(t, a, delivered)
		delivered++
	}
	for _, a := range byProg["imapd"] {
		talk(t, a, "* OK", "a LOGIN joe secret\r\n", "a OK")
	}
	for _, a := range byProg["pop3d"] {
		talk(t, a, "+OK", "USER joe\r\nPASS secret\r\n", "+OK Mailbox locked and ready")
	}
	for _, a := range byProg["timsieved"] {
		talk(t, a, "OK", "LOGOUT\r\n", "OK")
	}
	for _, a := range byProg["fud"] {
		reply := fudQuery(t, a, "joe|INBOX")
		var numRecent, lastRead, lastArrived int64
		if _, err := fmt.Sscanf(reply, "joe|INBOX|%d|%d|%d", &numRecent, &lastRead, &lastArrived); err != nil || numRecent != int64(delivered) || lastArrived == 0 {
			t.Errorf("fud answered %q; want joe|INBOX|%d|0|<arrival>", reply, delivered)
		}
		if reply := fudQuery(t, a, "joe|nosuch"); reply != "UNKNOWN\x00" {
			t.Errorf("fud answered %q for a missing mailbox", reply)
		}
	}
	return len(byProg["fud"])
}

func dialAddr(t *testing.T, a service.Addr) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(a.Network, a.Address, hangTimeout)
	if err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	c.SetDeadline(time.Now().Add(hangTimeout))
	return c
}

// talk reads until a line starting with greet, sends send, and reads until a line starting
// with want.
func talk(t *testing.T, a service.Addr, greet, send, want string) {
	t.Helper()
	c := dialAddr(t, a)
	defer c.Close()
	r := bufio.NewReader(c)
	expect := func(prefix string) {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: waiting for %q: %v", a, prefix, err)
			}
			if strings.HasPrefix(line, prefix) {
				return
			}
			if strings.HasPrefix(line, "-ERR") || strings.HasPrefix(line, "a NO") || strings.HasPrefix(line, "a BAD") || strings.HasPrefix(line, "NO") {
				t.Fatalf("%s: %q while waiting for %q", a, line, prefix)
			}
		}
	}
	expect(greet)
	c.Write([]byte(send))
	expect(want)
}

func lmtpDeliverTo(t *testing.T, a service.Addr, n int) {
	t.Helper()
	talk(t, a, "220", fmt.Sprintf("LHLO test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<joe>\r\nDATA\r\n"+
		"Subject: %d\r\nMessage-ID: <%d.%d@example.org>\r\n\r\nhello\r\n.\r\n", n, n, time.Now().UnixNano()), "250 2.1.5")
}

// fudQuery asks fud in its wire format ("user|mailbox" in one datagram), resending until a
// deadline: a prefork=0 fud is started by master on the first datagram.
func fudQuery(t *testing.T, a service.Addr, q string) string {
	t.Helper()
	c, err := net.Dial(a.Network, a.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 1024)
	for deadline := time.Now().Add(hangTimeout); time.Now().Before(deadline); {
		c.Write([]byte(q))
		c.SetReadDeadline(time.Now().Add(time.Second))
		if n, err := c.Read(buf); err == nil {
			return string(buf[:n])
		}
	}
	t.Fatalf("fud at %s did not answer", a)
	return ""
}
