package auth

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSaslauthd serves the saslauthd protocol on a unix socket.
type fakeSaslauthd struct {
	path  string
	users map[string]string
	reply func(fields [4]string) string // overrides the user table when set
	mu    sync.Mutex
	seen  [][4]string
}

func startFakeSaslauthd(t *testing.T, users map[string]string) *fakeSaslauthd {
	t.Helper()
	f := &fakeSaslauthd{path: filepath.Join(t.TempDir(), "mux"), users: users}
	ln, err := net.Listen("unix", f.path)
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
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSaslauthd) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	var fields [4]string
	for i := range fields {
		s, err := readField(r)
		if err != nil {
			return
		}
		fields[i] = s
	}
	f.mu.Lock()
	f.seen = append(f.seen, fields)
	f.mu.Unlock()
	var reply string
	switch {
	case f.reply != nil:
		reply = f.reply(fields)
	case f.users[fields[0]] == fields[1] && fields[1] != "":
		reply = "OK"
	default:
		reply = `NO "authentication failed"`
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(len(reply)))
	c.Write(append(out, reply...))
}

// readField reads one length-prefixed string.
func readField(r io.Reader) (string, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return "", err
	}
	b := make([]byte, binary.BigEndian.Uint16(hdr[:]))
	_, err := io.ReadFull(r, b)
	return string(b), err
}

func TestSaslauthdFake(t *testing.T) {
	f := startFakeSaslauthd(t, map[string]string{"alice": `p"w\ x`, "bob@example.com": "b"})
	a := newTestAuth(t, testConfig(t, "sasl_pwcheck_method", "saslauthd", "sasl_saslauthd_path", f.path,
		"virtdomains", "userid"), Options{Service: "pop"})
	ctx := context.Background()
	if _, err := a.CheckPassword(ctx, tlsConn, "Alice", `p"w\ x`); err != nil {
		t.Fatalf("good password: %v", err)
	}
	if res, err := a.CheckPassword(ctx, tlsConn, "bob%example.com", "b"); err != nil || res.User != "bob@example.com" {
		t.Fatalf("domain user: %+v %v", res, err)
	}
	_, err := a.CheckPassword(ctx, tlsConn, "alice", "nope")
	wantErr(t, "bad password", err, ErrAuthFailed)
	f.mu.Lock()
	first := f.seen[0]
	f.mu.Unlock()
	if first != [4]string{"alice", `p"w\ x`, "pop", ""} {
		t.Errorf("request fields %q", first)
	}
}

func TestSaslauthdFailures(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	down := &saslauthd{path: filepath.Join(dir, "none"), timeout: time.Second, service: "imap"}
	if _, err := down.checkPassword(ctx, "alice", "x"); err == nil {
		t.Error("no daemon: no error")
	}

	f := startFakeSaslauthd(t, nil)
	f.reply = func([4]string) string { return "MAYBE" }
	odd := &saslauthd{path: f.path, timeout: time.Second, service: "imap"}
	if _, err := odd.checkPassword(ctx, "alice", "x"); !errors.Is(err, errSaslauthdProtocol) {
		t.Errorf("odd reply: %v", err)
	}

	// A daemon that never answers runs into the timeout.
	silent := filepath.Join(dir, "silent")
	ln, err := net.Listen("unix", silent)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	slow := &saslauthd{path: silent, timeout: 200 * time.Millisecond, service: "imap"}
	start := time.Now()
	if _, err := slow.checkPassword(ctx, "alice", "x"); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("silent daemon: %v after %v", err, time.Since(start))
	}

	// Through the Authenticator, a dead daemon is ErrUnavailable, and the
	// next method in the list still gets its turn.
	a := newTestAuth(t, testConfig(t, "sasl_pwcheck_method", "saslauthd auxprop", "sasl_saslauthd_path", down.path),
		Options{Service: "imap", SASLDB: testSasldb(t, map[string]string{"alice": "pw"})})
	if _, err := a.CheckPassword(ctx, tlsConn, "alice", "pw"); err != nil {
		t.Errorf("fallback to auxprop: %v", err)
	}
	_, err = a.CheckPassword(ctx, tlsConn, "alice", "bad")
	wantErr(t, "dead daemon and bad password", err, ErrUnavailable)
}

func TestSaslauthdWire(t *testing.T) {
	req, err := appendSaslauthdRequest(nil, "u", "pw", "imap", "")
	if err != nil {
		t.Fatal(err)
	}
	want := "\x00\x01u\x00\x02pw\x00\x04imap\x00\x00"
	if string(req) != want {
		t.Errorf("request %q, want %q", req, want)
	}
	if _, err := appendSaslauthdRequest(nil, "u", strings.Repeat("x", 1025), "imap", ""); err == nil || strings.Contains(err.Error(), "xxx") {
		t.Errorf("long password: %v", err)
	}
	tests := []struct {
		in     string
		ok     bool
		reason string
		bad    bool
	}{
		{"\x00\x02OK", true, "", false},
		{"\x00\x07OK done", true, "done", false},
		{"\x00\x1aNO \"authentication failed\"", false, "authentication failed", false},
		{"\x00\x02NO", false, "", false},
		{"\x00\x02ok", false, "", true},
		{"\x00\x05OKAY!", false, "", true},
		{"\x00", false, "", true},
		{"\x00\x09OK", false, "", true},
		{"\x04\x01" + strings.Repeat("x", 1025), false, "", true},
	}
	for _, tc := range tests {
		ok, reason, err := readSaslauthdReply(strings.NewReader(tc.in))
		if ok != tc.ok || reason != tc.reason || (err != nil) != tc.bad {
			t.Errorf("reply %q: %v %q %v", tc.in, ok, reason, err)
		}
	}
}

// sasl_auto_transition: a password saslauthd accepted ends up in the
// sasldb, so SCRAM works for that user from then on; without the option
// nothing is stored.
func TestAutoTransition(t *testing.T) {
	for _, on := range []bool{false, true} {
		f := startFakeSaslauthd(t, map[string]string{"alice": "s3cret"})
		store := testSasldb(t, nil)
		a := newTestAuth(t, testConfig(t, "sasl_pwcheck_method", "saslauthd auxprop", "sasl_saslauthd_path", f.path,
			"sasl_auto_transition", fmt.Sprint(on)), Options{Service: "imap", SASLDB: store})
		ctx := context.Background()
		if _, err := a.CheckPassword(ctx, tlsConn, "alice", "s3cret"); err != nil {
			t.Fatalf("auto_transition %v: login: %v", on, err)
		}
		stored, err := store.Verify(ctx, "alice", "s3cret")
		if err != nil || stored != on {
			t.Errorf("auto_transition %v: sasldb verifies the password: %v (%v)", on, stored, err)
		}
		if !on {
			continue
		}
		if _, err := a.CheckPassword(ctx, tlsConn, "alice", "wrong"); err == nil {
			t.Error("a wrong password was accepted after the transition")
		}
		if ok, _ := store.Verify(ctx, "alice", "wrong"); ok {
			t.Error("a refused password was transitioned")
		}
	}
}
