//go:build soak

// Package soak is the opt-in soak test (make soak): master runs imapd,
// pop3d and lmtpd on loopback; SOAK_CLIENTS clients do seeded random
// IMAP (APPEND/COPY/MOVE/STORE/EXPUNGE/RENAME), LMTP and POP3 for
// SOAK_DURATION while a random daemon is killed with SIGKILL every
// SOAK_KILL_EVERY. At the end every acknowledged message is present
// exactly once, quota -f -n and reconstruct -n find nothing to fix, and
// the daemons' memory did not grow past a bound.
package soak

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return d
	}
	return def
}

func envInt(t *testing.T, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	return def
}

// figures are the counts the soak prints.
type figures struct {
	ops      sync.Map // op name -> *atomic.Int64
	killsBy  sync.Map // program -> *atomic.Int64
	kills    atomic.Int64
	failures atomic.Int64
}

func (f *figures) count(op string) { bump(&f.ops, op) }

func (f *figures) killed(program string) {
	f.kills.Add(1)
	bump(&f.killsBy, program)
}

func bump(m *sync.Map, key string) {
	v, _ := m.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// table lists a counter map, one "  name  n" line per key, sorted.
func table(m *sync.Map) string {
	var lines []string
	m.Range(func(k, v any) bool {
		lines = append(lines, fmt.Sprintf("  %-22s %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// rssTable lists RssAnon at start and end per program.
func rssTable(start, end map[string]int64) string {
	var names []string
	for n := range start {
		names = append(names, n)
	}
	for n := range end {
		if _, ok := start[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var lines []string
	for _, n := range names {
		lines = append(lines, fmt.Sprintf("  %-22s %d KiB -> %d KiB", n, start[n], end[n]))
	}
	return strings.Join(lines, "\n")
}

type site struct {
	dir, bin, configdir, imapdConf, cyrusConf string
	imap, pop3, lmtp                          string
}

func TestSoak(t *testing.T) {
	duration := envDuration(t, "SOAK_DURATION", 10*time.Minute)
	killEvery := envDuration(t, "SOAK_KILL_EVERY", 30*time.Second)
	clients := envInt(t, "SOAK_CLIENTS", 20)
	seed := int64(envInt(t, "SOAK_SEED", 0))
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("soak: %d clients, %v, kill -9 every %v, seed %d (SOAK_SEED=%d to replay the choices)", clients, duration, killEvery, seed, seed)
	bin := os.Getenv("GOCYRUS_BIN")
	if bin == "" {
		t.Fatal("GOCYRUS_BIN must name the built binaries (make soak sets it)")
	}
	s := newSite(t, bin, clients)
	master := s.startMaster(t)
	s.waitServices(t, 30*time.Second)

	// RSS "at start" is taken under load, just before the first kill:
	// freshly forked daemons have touched almost nothing yet.
	var rssStart map[string]int64
	// rssSamples: RssAnon per program at every kill tick (before the
	// kill) and at the end, for rssGrowth.
	var rssSamples []map[string]int64

	fig := &figures{}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var wg sync.WaitGroup
	ledgers := make([]*ledger, clients)
	for i := 0; i < clients; i++ {
		ledgers[i] = newLedger(fmt.Sprintf("u%d", i))
		wg.Add(1)
		go func(l *ledger, r *rand.Rand) {
			defer wg.Done()
			(&worker{t: t, s: s, l: l, r: r, fig: fig}).run(ctx)
		}(ledgers[i], rand.New(rand.NewSource(seed+int64(i))))
	}
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		r := rand.New(rand.NewSource(seed - 1))
		tick := time.NewTicker(killEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rssSamples = append(rssSamples, serviceRSS(master.Process.Pid))
			if rssStart == nil {
				rssStart = rssSamples[0]
				t.Logf("RSS under load before the first kill (RssAnon KiB per program): %v", rssStart)
			}
			kids := children(master.Process.Pid)
			if len(kids) == 0 {
				continue
			}
			k := kids[r.Intn(len(kids))]
			if syscall.Kill(k.pid, syscall.SIGKILL) == nil {
				fig.killed(k.comm)
				t.Logf("kill -9 %s (pid %d)", k.comm, k.pid)
			}
		}
	}()
	wg.Wait()
	<-killerDone
	if rssStart == nil {
		rssStart = serviceRSS(master.Process.Pid)
	}
	s.waitServices(t, 30*time.Second)
	rssEnd := serviceRSS(master.Process.Pid)
	rssSamples = append(rssSamples, rssEnd)

	// Every acknowledged message present exactly once.
	for _, l := range ledgers {
		l.verify(t, s, fig)
	}
	// Stop master, then the offline checks.
	master.Process.Signal(syscall.SIGTERM)
	waitDone := make(chan error, 1)
	go func() { waitDone <- master.Wait() }()
	select {
	case <-waitDone:
	case <-time.After(60 * time.Second):
		master.Process.Kill()
		<-waitDone
		t.Errorf("master ignored SIGTERM for 60s")
	}
	q := runTool(t, s, "quota", "-f", "-n")
	if strings.TrimSpace(q.stderr) != "" || q.code != 0 {
		t.Errorf("quota -f -n finds corrections (exit %d):\n%s", q.code, q.stderr)
	}
	for i := 0; i < clients; i++ {
		r := runTool(t, s, "reconstruct", "-n", "-q", "-r", fmt.Sprintf("user/u%d", i))
		if strings.TrimSpace(r.stdout+r.stderr) != "" || r.code != 0 {
			t.Errorf("reconstruct -n -r user/u%d (exit %d):\n%s%s", i, r.code, r.stdout, r.stderr)
		}
	}
	t.Logf("soak figures (seed %d, %d clients, %v, kill -9 every %v):\noperations acknowledged:\n%s\nkills -9 (%d):\n%s\nfailures: %d\nRssAnon per program, start (under load, before the first kill) -> end:\n%s\nRssAnon KiB per program at each kill tick, then the end:\n%s",
		seed, clients, duration, killEvery, table(&fig.ops), fig.kills.Load(), table(&fig.killsBy), fig.failures.Load(),
		rssTable(rssStart, rssEnd), rssSeries(rssSamples))
	for _, g := range rssGrowth(rssSamples) {
		t.Error(g)
	}
	if fig.failures.Load() > 0 {
		t.Errorf("%d failures (see above)", fig.failures.Load())
	}
}

func newSite(t *testing.T, bin string, users int) *site {
	dir := t.TempDir()
	s := &site{dir: dir, bin: bin, configdir: filepath.Join(dir, "config"), imapdConf: filepath.Join(dir, "imapd.conf"),
		cyrusConf: filepath.Join(dir, "cyrus.conf")}
	for _, d := range []string{s.configdir, filepath.Join(dir, "spool")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf("configdirectory: %s\npartition-default: %s\ndefaultpartition: default\nadmins: cyrus\nallowplaintext: yes\n"+
		"servername: soak.test\nexpunge_mode: immediate\n", s.configdir, filepath.Join(dir, "spool"))
	if err := os.WriteFile(s.imapdConf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.imap, s.pop3, s.lmtp = freeAddr(t), freeAddr(t), freeAddr(t)
	cc := fmt.Sprintf("START {\n  recover cmd=\"ctl_cyrusdb -r\"\n}\nSERVICES {\n"+
		"  imap cmd=\"imapd\" listen=%q prefork=1\n  pop3 cmd=\"pop3d\" listen=%q prefork=1\n  lmtp cmd=\"lmtpd -a\" listen=%q prefork=1\n}\nEVENTS {\n}\n",
		s.imap, s.pop3, s.lmtp)
	if err := os.WriteFile(s.cyrusConf, []byte(cc), 0o644); err != nil {
		t.Fatal(err)
	}
	// Users, mailboxes and quota roots, with the databases offline.
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
	st, err := store.New(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < users; i++ {
		u := fmt.Sprintf("u%d", i)
		if err := sasldb.New(db).SetPassword(ctx, u, "secret", true); err != nil {
			t.Fatal(err)
		}
		for _, box := range []string{"user." + u, "user." + u + ".A", "user." + u + ".B"} {
			if _, err := st.CreateMailbox(ctx, box, store.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		var l quota.Limits
		for r := range l {
			l[r] = quota.Unlimited
		}
		l[quota.Storage] = 10 << 30
		if err := st.SetQuota(ctx, "user."+u, l); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *site) startMaster(t *testing.T) *exec.Cmd {
	logf, err := os.Create(filepath.Join(s.dir, "master.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(s.bin, "master"), "-C", s.imapdConf, "-M", s.cyrusConf, "-p", filepath.Join(s.dir, "master.pid"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 20000 {
				b = b[len(b)-20000:]
			}
			t.Logf("master log (tail):\n%s", b)
		}
	})
	return cmd
}

// waitServices polls until every service accepts and greets.
func (s *site) waitServices(t *testing.T, within time.Duration) {
	deadline := time.Now().Add(within)
	for _, addr := range []string{s.imap, s.pop3, s.lmtp} {
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, err = bufio.NewReader(c).ReadString('\n')
				c.Close()
				if err == nil {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s does not answer: %v", addr, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

type proc struct {
	pid  int
	comm string
}

// children lists master's child processes.
func children(master int) []proc {
	ents, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == master {
			out = append(out, proc{pid: pid, comm: s[open+1 : close]})
		}
	}
	return out
}

// serviceRSS sums RssAnon (KiB) of master's children by program.
func serviceRSS(master int) map[string]int64 {
	out := map[string]int64{}
	for _, p := range children(master) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "RssAnon:" {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				out[p.comm] += n
			}
		}
	}
	return out
}

type result struct {
	code           int
	stdout, stderr string
}

func runTool(t *testing.T, s *site, prog string, args ...string) result {
	cmd := exec.Command(filepath.Join(s.bin, prog), append([]string{"-C", s.imapdConf}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", prog, err)
	}
	return result{code, out.String(), errb.String()}
}

// ---- the ledger ----

// presence of a message in a mailbox: sure (acknowledged) or maybe (the
// reply was lost to a kill: 0 or 1 copies are both right).
type presence int

const (
	sure presence = iota + 1
	maybe
)

// ledger is one client's view of its user's mailboxes: external name ->
// Message-ID -> presence. A client works only on its own user, so the
// ledger needs no lock.
type ledger struct {
	user  string
	boxes map[string]map[string]presence
	// renamed: "A" is currently called this (A or A2); renameMaybe when a
	// RENAME's reply was lost (resolved by LIST at the next connection).
	renamed     string
	renameMaybe bool
	next        int
}

func newLedger(user string) *ledger {
	return &ledger{user: user, renamed: "A", boxes: map[string]map[string]presence{"INBOX": {}, "A": {}, "B": {}}}
}

// box maps the ledger's stable key to the current server name.
func (l *ledger) name(key string) string {
	if key == "A" {
		return l.renamed
	}
	return key
}

func (l *ledger) newID() string {
	l.next++
	return fmt.Sprintf("%s.%d@soak.test", l.user, l.next)
}

// pickSure returns a random message known to be in box.
func (l *ledger) pickSure(r *rand.Rand, box string) (string, bool) {
	var ids []string
	for id, p := range l.boxes[box] {
		if p == sure {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "", false
	}
	sort.Strings(ids)
	return ids[r.Intn(len(ids))], true
}

// verify compares the ledger with what the server holds.
func (l *ledger) verify(t *testing.T, s *site, fig *figures) {
	c, err := imapclient.DialInsecure(s.imap, nil)
	if err != nil {
		t.Fatalf("verify %s: %v", l.user, err)
	}
	defer c.Close()
	if err := c.Login(l.user, "secret").Wait(); err != nil {
		t.Fatalf("verify %s: %v", l.user, err)
	}
	l.resolveRename(c)
	for key, want := range l.boxes {
		name := l.name(key)
		got := map[string]int{}
		sel, err := c.Select(name, nil).Wait()
		if err != nil {
			t.Errorf("%s: SELECT %s: %v", l.user, name, err)
			fig.failures.Add(1)
			continue
		}
		if sel.NumMessages > 0 {
			var all imap.SeqSet
			all.AddRange(1, 0) // 1:*
			msgs, err := c.Fetch(all, &imap.FetchOptions{Envelope: true}).Collect()
			if err != nil {
				t.Errorf("%s: FETCH %s: %v", l.user, name, err)
				fig.failures.Add(1)
				continue
			}
			for _, m := range msgs {
				got[strings.Trim(m.Envelope.MessageID, "<>")]++
			}
		}
		for id, p := range want {
			if n := got[id]; n > 1 || (p == sure && n != 1) {
				t.Errorf("%s/%s: %s present %d times (acknowledged: %v)", l.user, name, id, n, p == sure)
				fig.failures.Add(1)
			}
		}
		for id, n := range got {
			if _, ok := want[id]; !ok {
				t.Errorf("%s/%s: %s present %d times, never acknowledged there", l.user, name, id, n)
				fig.failures.Add(1)
			}
		}
	}
}

// resolveRename settles a RENAME whose reply was lost: whichever of A
// and A2 exists is the name.
func (l *ledger) resolveRename(c *imapclient.Client) {
	if !l.renameMaybe {
		return
	}
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		return
	}
	for _, b := range boxes {
		if b.Mailbox == "A" || b.Mailbox == "A2" {
			l.renamed, l.renameMaybe = b.Mailbox, false
		}
	}
}

// ---- the worker ----

type worker struct {
	t   *testing.T
	s   *site
	l   *ledger
	r   *rand.Rand
	fig *figures
	c   *imapclient.Client
}

func (w *worker) failf(format string, args ...any) {
	w.fig.failures.Add(1)
	w.t.Errorf(w.l.user+": "+format, args...)
}

func (w *worker) run(ctx context.Context) {
	defer func() {
		if w.c != nil {
			w.c.Close()
		}
	}()
	for ctx.Err() == nil {
		switch n := w.r.Intn(100); {
		case n < 30:
			w.imapAppend()
		case n < 45:
			w.lmtpDeliver()
		case n < 55:
			w.imapCopyMove(false)
		case n < 65:
			w.imapCopyMove(true)
		case n < 75:
			w.imapStore()
		case n < 85:
			w.imapExpunge()
		case n < 90:
			w.imapRename()
		default:
			w.pop3Take()
		}
	}
}

// imap returns a logged-in connection, dialling anew after a failure
// (master restarts a killed daemon: retry until it answers).
func (w *worker) imap() *imapclient.Client {
	if w.c != nil {
		return w.c
	}
	for i := 0; i < 200; i++ {
		c, err := imapclient.DialInsecure(w.s.imap, nil)
		if err == nil {
			if err = c.Login(w.l.user, "secret").Wait(); err == nil {
				w.c = c
				w.l.resolveRename(c)
				return c
			}
			c.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// lost drops the connection after a failed command (a kill, most likely).
func (w *worker) lost() {
	if w.c != nil {
		w.c.Close()
		w.c = nil
	}
}

func (w *worker) message(id string) string {
	return fmt.Sprintf("From: soak@soak.test\r\nTo: %s@soak.test\r\nMessage-ID: <%s>\r\nSubject: soak %s\r\n\r\n%s\r\n",
		w.l.user, id, id, strings.Repeat("body line\r\n", 1+w.r.Intn(200)))
}

func (w *worker) randomBox() string { return []string{"INBOX", "A", "B"}[w.r.Intn(3)] }

func (w *worker) imapAppend() {
	c := w.imap()
	if c == nil {
		return
	}
	box, id := w.randomBox(), w.l.newID()
	msg := w.message(id)
	w.l.boxes[box][id] = maybe
	cmd := c.Append(w.l.name(box), int64(len(msg)), nil)
	cmd.Write([]byte(msg))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		if !isNo(err) {
			w.lost()
		} else {
			delete(w.l.boxes[box], id)
		}
		return
	}
	w.l.boxes[box][id] = sure
	w.fig.count("imap APPEND")
}

func isNo(err error) bool {
	_, ok := err.(*imap.Error)
	return ok
}

// find selects box and returns the UID of the message id (which the
// ledger says is there exactly once).
func (w *worker) find(c *imapclient.Client, box, id string) (imap.UID, bool) {
	if _, err := c.Select(w.l.name(box), nil).Wait(); err != nil {
		if !isNo(err) {
			w.lost()
		} else if !w.l.renameMaybe {
			w.failf("SELECT %s: %v", w.l.name(box), err)
		}
		return 0, false
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: id}}}, nil).Wait()
	if err != nil {
		w.lost()
		return 0, false
	}
	uids := data.AllUIDs()
	if len(uids) != 1 {
		w.failf("%s in %s: %d copies, want 1", id, box, len(uids))
		return 0, false
	}
	return uids[0], true
}

func (w *worker) imapCopyMove(move bool) {
	c := w.imap()
	if c == nil {
		return
	}
	src, dst := w.randomBox(), w.randomBox()
	if src == dst {
		return
	}
	id, ok := w.l.pickSure(w.r, src)
	if !ok || w.l.boxes[dst][id] != 0 {
		return
	}
	uid, ok := w.find(c, src, id)
	if !ok {
		return
	}
	w.l.boxes[dst][id] = maybe
	var err error
	if move {
		w.l.boxes[src][id] = maybe
		_, err = c.Move(imap.UIDSetNum(uid), w.l.name(dst)).Wait()
	} else {
		_, err = c.Copy(imap.UIDSetNum(uid), w.l.name(dst)).Wait()
	}
	if err != nil {
		if isNo(err) {
			delete(w.l.boxes[dst], id)
			w.l.boxes[src][id] = sure
		} else {
			w.lost()
		}
		return
	}
	w.l.boxes[dst][id] = sure
	if move {
		delete(w.l.boxes[src], id)
		w.fig.count("imap MOVE")
	} else {
		w.fig.count("imap COPY")
	}
}

func (w *worker) imapStore() {
	c := w.imap()
	if c == nil {
		return
	}
	box := w.randomBox()
	id, ok := w.l.pickSure(w.r, box)
	if !ok {
		return
	}
	uid, ok := w.find(c, box, id)
	if !ok {
		return
	}
	flag := []imap.Flag{imap.FlagFlagged, imap.FlagSeen, "$soak"}[w.r.Intn(3)]
	if err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{flag}, Silent: true}, nil).Close(); err != nil {
		if !isNo(err) {
			w.lost()
		}
		return
	}
	w.fig.count("imap STORE")
}

func (w *worker) imapExpunge() {
	c := w.imap()
	if c == nil {
		return
	}
	box := w.randomBox()
	id, ok := w.l.pickSure(w.r, box)
	if !ok {
		return
	}
	uid, ok := w.find(c, box, id)
	if !ok {
		return
	}
	if err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		if !isNo(err) {
			w.lost()
		}
		return
	}
	w.l.boxes[box][id] = maybe
	if err := c.UIDExpunge(imap.UIDSetNum(uid)).Close(); err != nil {
		if !isNo(err) {
			w.lost()
		}
		return
	}
	delete(w.l.boxes[box], id)
	w.fig.count("imap EXPUNGE")
}

func (w *worker) imapRename() {
	c := w.imap()
	if c == nil || w.l.renameMaybe {
		return
	}
	from := w.l.renamed
	to := map[string]string{"A": "A2", "A2": "A"}[from]
	if _, err := c.Select("INBOX", nil).Wait(); err != nil { // not renaming the selected mailbox
		w.lost()
		return
	}
	w.l.renameMaybe = true
	if err := c.Rename(from, to, nil).Wait(); err != nil {
		if isNo(err) {
			w.l.renameMaybe = false
		} else {
			w.lost()
		}
		return
	}
	w.l.renamed, w.l.renameMaybe = to, false
	w.fig.count("imap RENAME")
}

func (w *worker) lmtpDeliver() {
	id := w.l.newID()
	nc, err := net.DialTimeout("tcp", w.s.lmtp, 5*time.Second)
	if err != nil {
		return
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(60 * time.Second))
	tp := textproto.NewConn(nc)
	step := func(cmd string, code int) bool {
		if cmd != "" {
			if err := tp.PrintfLine("%s", cmd); err != nil {
				return false
			}
		}
		_, _, err := tp.ReadResponse(code)
		return err == nil
	}
	if !step("", 220) || !step("LHLO soak.test", 250) || !step("MAIL FROM:<soak@soak.test>", 250) ||
		!step("RCPT TO:<"+w.l.user+">", 250) || !step("DATA", 354) {
		return
	}
	w.l.boxes["INBOX"][id] = maybe
	dw := tp.DotWriter()
	dw.Write([]byte(strings.ReplaceAll(w.message(id), "\r\n", "\n")))
	if dw.Close() != nil {
		return
	}
	if _, _, err := tp.ReadResponse(250); err != nil {
		if _, ok := err.(*textproto.Error); ok {
			delete(w.l.boxes["INBOX"], id) // refused: not stored
		}
		return
	}
	w.l.boxes["INBOX"][id] = sure
	w.fig.count("lmtp DATA")
	step("QUIT", 221)
}

// pop3Take retrieves and deletes the first INBOX message over POP3.
func (w *worker) pop3Take() {
	w.lost() // no IMAP session holds the INBOX meanwhile
	nc, err := net.DialTimeout("tcp", w.s.pop3, 5*time.Second)
	if err != nil {
		return
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(60 * time.Second))
	tp := textproto.NewConn(nc)
	ok := func(cmd string) (string, bool) {
		if cmd != "" {
			if tp.PrintfLine("%s", cmd) != nil {
				return "", false
			}
		}
		l, err := tp.ReadLine()
		return l, err == nil && strings.HasPrefix(l, "+OK")
	}
	if _, good := ok(""); !good {
		return
	}
	if _, good := ok("USER " + w.l.user); !good {
		return
	}
	if _, good := ok("PASS secret"); !good {
		return
	}
	stat, good := ok("STAT")
	if !good || strings.HasPrefix(stat, "+OK 0 ") {
		return
	}
	if _, good := ok("RETR 1"); !good {
		return
	}
	lines, err := tp.ReadDotLines()
	if err != nil {
		return
	}
	var id string
	for _, l := range lines {
		if v, found := strings.CutPrefix(l, "Message-ID: <"); found {
			id = strings.TrimSuffix(v, ">")
			break
		}
		if l == "" {
			break
		}
	}
	if _, known := w.l.boxes["INBOX"][id]; !known {
		w.failf("POP3 RETR 1 gave %q, not in the ledger's INBOX", id)
		return
	}
	w.fig.count("pop3 RETR")
	if _, good := ok("DELE 1"); !good {
		return
	}
	w.l.boxes["INBOX"][id] = maybe
	if _, good := ok("QUIT"); !good {
		return
	}
	delete(w.l.boxes["INBOX"], id)
	w.fig.count("pop3 DELE+QUIT")
}
