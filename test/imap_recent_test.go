package test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineIMAP is a line-level IMAP conversation usable from any goroutine:
// it returns errors instead of failing the test. Every read is bounded.
type lineIMAP struct {
	nc net.Conn
	r  *bufio.Reader
	n  int
}

func dialLine(addr string) (*lineIMAP, error) {
	nc, err := net.DialTimeout("tcp", addr, hangTimeout)
	if err != nil {
		return nil, err
	}
	c := &lineIMAP{nc: nc, r: bufio.NewReader(nc)}
	if _, err := c.readLine(); err != nil { // greeting
		nc.Close()
		return nil, err
	}
	return c, nil
}

func (c *lineIMAP) readLine() (string, error) {
	c.nc.SetReadDeadline(time.Now().Add(hangTimeout))
	l, err := c.r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("reading: %w (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n"), nil
}

// do runs a command that must succeed and returns its untagged lines.
func (c *lineIMAP) do(cmd string) ([]string, error) {
	c.n++
	tag := fmt.Sprintf("r%d", c.n)
	if _, err := c.nc.Write([]byte(tag + " " + cmd + "\r\n")); err != nil {
		return nil, err
	}
	var u []string
	for {
		l, err := c.readLine()
		if err != nil {
			return u, err
		}
		if rest, ok := strings.CutPrefix(l, tag+" "); ok {
			if !strings.HasPrefix(rest, "OK") {
				return u, fmt.Errorf("%s: %s", cmd, rest)
			}
			return u, nil
		}
		u = append(u, l)
	}
}

var fetchUIDRe = regexp.MustCompile(`^\* \d+ FETCH \(.*\bUID (\d+)\b`)

// recentUIDs returns the UIDs a UID FETCH 1:* (FLAGS) shows \Recent.
func (c *lineIMAP) recentUIDs() ([]string, error) {
	lines, err := c.do("UID FETCH 1:* (FLAGS)")
	var uids []string
	for _, l := range lines {
		if m := fetchUIDRe.FindStringSubmatch(l); m != nil && strings.Contains(l, `\Recent`) {
			uids = append(uids, m[1])
		}
	}
	return uids, err
}

// TestImapRecentOnceAcrossProcesses: RFC 3501 §2.3.2 — a message is
// \Recent in exactly one session. Sessions in two imapd processes select
// INBOX read-write at the same moment and keep syncing (NOOP) while
// messages are appended through both processes; at the end every UID
// must have been \Recent in exactly one session (every session had the
// mailbox selected read-write when it arrived). Claims race: two sessions
// reading the seen record and both writing a higher recent UID would
// both show the message \Recent.
func TestImapRecentOnceAcrossProcesses(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	s := newSite(t, "allowplaintext: yes")
	addrs := []string{startImapd(t, s), startDaemon(t, s, "imapd")} // INBOX has UIDs 1, 2
	const sessions, messages = 8, 24
	noops := make([]int, sessions) // NOOPs between appends, per session: varies the interleaving
	for i := range noops {
		noops[i] = 1 + rng.IntN(4)
	}

	conns := make([]*lineIMAP, sessions)
	for i := range conns {
		c, err := dialLine(addrs[i%2])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.nc.Close() })
		if _, err := c.do("LOGIN alice secret"); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	appenders := make([]*lineIMAP, 2)
	for i := range appenders {
		c, err := dialLine(addrs[i])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.nc.Close() })
		if _, err := c.do("LOGIN alice secret"); err != nil {
			t.Fatal(err)
		}
		appenders[i] = c
	}

	// All sessions SELECT at once (racing for UIDs 1 and 2), then sync
	// until the appends are over, then once more, then report.
	var (
		wg       sync.WaitGroup
		start    = make(chan struct{})
		selected sync.WaitGroup
		done     = make(chan struct{})
		recent   = make([][]string, sessions)
		errs     = make([]error, sessions)
	)
	selected.Add(sessions)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.do("SELECT INBOX")
			selected.Done()
			for err == nil {
				select {
				case <-done:
					if _, err = c.do("NOOP"); err == nil {
						recent[i], err = c.recentUIDs()
					}
					errs[i] = err
					return
				default:
				}
				for range noops[i] {
					if _, err = c.do("NOOP"); err != nil {
						break
					}
				}
			}
			errs[i] = err
		}()
	}
	close(start)
	selected.Wait() // every session is selected read-write before the first append
	msg := "From: a@example.org\r\nSubject: recent\r\n\r\nhi\r\n"
	for j := range messages {
		a := appenders[rng.IntN(2)]
		if _, err := a.do(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg)); err != nil {
			close(done)
			wg.Wait()
			t.Fatalf("append %d: %v", j, err)
		}
	}
	close(done)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}

	owners := map[string][]int{}
	for i, uids := range recent {
		for _, u := range uids {
			owners[u] = append(owners[u], i)
		}
	}
	for uid := 1; uid <= 2+messages; uid++ {
		u := fmt.Sprint(uid)
		if len(owners[u]) != 1 {
			t.Errorf("UID %s is \\Recent in sessions %v, want exactly one", u, owners[u])
		}
	}
}
