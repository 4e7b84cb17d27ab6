package pop3server

import (
	"strings"
	"testing"
	"time"
)

func TestMaxloginsPerUser(t *testing.T) {
	site := newTestSite(t, false, "maxlogins_per_user", "2")
	first, _ := site.dial()
	first.login()
	second, _ := site.dial()
	second.login()

	third, _ := site.dial()
	if r := third.cmd("USER alice"); r != "+OK Name is a valid mailbox" {
		t.Fatalf("USER: %q", r)
	}
	if r := third.cmd("PASS secret"); r != "-ERR Too many open connections (2 of 2 for alice)" {
		t.Fatalf("third login: %q", r)
	}
	// Still in the AUTHORIZATION state.
	if r := third.cmd("STAT"); !strings.HasPrefix(r, "-ERR") {
		t.Fatalf("STAT after a refused login: %q", r)
	}
	if r := first.cmd("QUIT"); r != "+OK" {
		t.Fatalf("QUIT: %q", r)
	}
	waitPOPLogin(t, third)
}

func TestMaxloginsPerHost(t *testing.T) {
	site := newTestSite(t, false, "maxlogins_per_host", "1")
	first, _ := site.dial()
	first.login()
	c, _ := site.dial()
	c.cmd("USER alice")
	want := "-ERR Too many open connections (1 of 1 from [127.0.0.1])"
	if r := c.cmd("PASS secret"); r != want {
		t.Fatalf("second login from the host: %q, want %q", r, want)
	}
	first.conn.Close() // a dropped connection frees its slot too
	waitPOPLogin(t, c)
}

// waitPOPLogin retries USER/PASS as alice until the server has seen
// another session end.
func waitPOPLogin(t *testing.T, c *client) {
	t.Helper()
	deadline := time.Now().Add(hangTimeout)
	for {
		c.cmd("USER alice")
		r := c.cmd("PASS secret")
		if strings.HasPrefix(r, "+OK Mailbox locked and ready") {
			return
		}
		if !strings.HasPrefix(r, "-ERR Too many open connections") || time.Now().After(deadline) {
			t.Fatalf("PASS: %q", r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
