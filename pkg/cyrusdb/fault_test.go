package cyrusdb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gocyrus/internal/faulttest"
)

// startFaultyServer runs a db service whose fault hook panics at point
// when a frame's payload contains "PANIC", as a bug there would.
func startFaultyServer(t *testing.T, dir, point string) *faulttest.Log {
	t.Helper()
	logs := &faulttest.Log{}
	srv, err := OpenServer(dir, Options{Logger: logs.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	srv.faultHook = func(p string, kind byte, payload []byte) {
		if p == point && bytes.Contains(payload, []byte("PANIC")) {
			faulttest.Panic()
		}
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server close: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return logs
}

func wantPanicLogged(t *testing.T, logs *faulttest.Log, where string) {
	t.Helper()
	faulttest.WantPanicLogged(t, logs, "server bug", "where="+where)
}

// A panic while serving one request fails that request with an error
// reply; the same connection and every other client go on being served.
// A Txn that hit a server bug reports its outcome as unknown.
func TestServicePanicFailsOnlyThatRequest(t *testing.T) {
	dir := t.TempDir()
	logs := startFaultyServer(t, dir, faultRequest)
	a, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !a.Online() || !b.Online() {
		t.Fatal("clients are not online")
	}
	put(t, a, "k", "v")

	if _, _, err := a.Get(testCtx(t), []byte("PANIC")); err == nil || !strings.Contains(err.Error(), "server bug") {
		t.Fatalf("get that panics: %v", err)
	}
	err = a.Txn(testCtx(t), nil, []Op{Put{Key: []byte("PANIC"), Val: []byte("x")}})
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("txn that panics: %v, want ErrOutcomeUnknown", err)
	}
	if err := a.Scan(testCtx(t), []byte("PANIC"), func(k, v []byte, _ uint64) error { return nil }); err == nil {
		t.Fatal("scan that panics succeeded")
	}
	// The same connection and another client are still served.
	if v, _ := mustGet(t, a, "k"); v != "v" {
		t.Fatalf("k = %q", v)
	}
	put(t, b, "k2", "v2")
	if got := scanAll(t, a, "k"); len(got) != 2 {
		t.Fatalf("scan after the panics: %q", got)
	}
	wantPanicLogged(t, logs, "request")
}

// A panic in a connection's reader drops that client only.
func TestServicePanicDropsOnlyThatConnection(t *testing.T) {
	dir := t.TempDir()
	logs := startFaultyServer(t, dir, faultDispatch)
	good, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	put(t, good, "k", "v")

	nc, err := net.Dial("unix", SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(nc)
	nc.Write(encodeFrame(kindHello, 0, []byte(protocolHello)))
	if f, err := readFrame(br); err != nil || f.kind != kindOK {
		t.Fatalf("hello: %+v, %v", f, err)
	}
	nc.Write(encodeFrame(kindGet, 1, []byte("PANIC")))
	if f, err := readFrame(br); !errors.Is(err, io.EOF) {
		t.Fatalf("after the panic: frame %+v, err %v; want the connection closed", f, err)
	}
	if v, _ := mustGet(t, good, "k"); v != "v" {
		t.Fatalf("k = %q", v)
	}
	put(t, good, "k2", "v2")
	wantPanicLogged(t, logs, "connection")
}

// Garbage on the socket from any local process drops that peer only: a
// bad hello, an unknown kind, an oversized length, a truncated frame, or
// a peer that connects and says nothing (the hello deadline) must leave
// the service answering the others.
func TestServiceHostilePeers(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir)
	good, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	hello := encodeFrame(kindHello, 0, []byte(protocolHello))
	cases := map[string][]byte{
		"bad hello":      encodeFrame(kindHello, 0, []byte("nope")),
		"not a hello":    encodeFrame(kindGet, 1, []byte("k")),
		"huge length":    append(append([]byte{}, hello...), 0xff, 0xff, 0xff, 0xff),
		"unknown kind":   append(append([]byte{}, hello...), encodeFrame(kindOK+20, 1, nil)...),
		"server kind":    append(append([]byte{}, hello...), encodeFrame(kindEvent, 1, nil)...),
		"truncated":      append(append([]byte{}, hello...), 0, 0, 1, 0, kindTxn),
		"bad txn":        append(append([]byte{}, hello...), encodeFrame(kindTxn, 1, []byte{0xff, 0xff})...),
		"duplicate id":   append(append(append([]byte{}, hello...), encodeFrame(kindSubscribe, 1, []byte("t"))...), encodeFrame(kindSubscribe, 1, []byte("t"))...),
		"stray ack":      append(append([]byte{}, hello...), encodeFrame(kindAck, 7, nil)...),
		"zero length":    {0, 0, 0, 0},
		"random garbage": bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 1000),
	}
	var peers []net.Conn
	for name, data := range cases {
		nc, err := net.Dial("unix", SocketPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		peers = append(peers, nc)
		nc.SetDeadline(time.Now().Add(30 * time.Second))
		nc.Write(data)
		if tc, ok := nc.(*net.UnixConn); ok && name == "truncated" {
			tc.CloseWrite()
		}
		put(t, good, "after "+name, "ok")
	}
	for _, nc := range peers {
		nc.Close()
	}
	if got := scanAll(t, good, "after "); len(got) != len(cases) {
		t.Fatalf("service stopped answering: %q", got)
	}
}

// fakeService answers the hello on dir's socket like the db service, then
// answers every request with reply(request id): a hostile or broken peer.
func fakeService(t *testing.T, dir string, reply func(id uint64) []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(SocketPath(dir)), 0o700); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer nc.Close()
				nc.SetDeadline(time.Now().Add(30 * time.Second))
				br := bufio.NewReader(nc)
				for {
					f, err := readFrame(br)
					if err != nil {
						return
					}
					if f.kind == kindHello {
						nc.Write(encodeFrame(kindOK, f.id, []byte(protocolHello)))
						continue
					}
					if _, err := nc.Write(reply(f.id)); err != nil {
						return
					}
				}
			})
		}
	})
}

// A client facing a peer that sends garbage, oversized or mistyped frames
// gets an error at once: no panic, no hang, no huge allocation.
func TestClientHostileService(t *testing.T) {
	cases := map[string]func(id uint64) []byte{
		"garbage":       func(uint64) []byte { return bytes.Repeat([]byte{0xff}, 64) },
		"huge length":   func(uint64) []byte { return []byte{0xff, 0xff, 0xff, 0xff, kindOK} },
		"unknown kind":  func(id uint64) []byte { return encodeFrame(kindCancel+30, id, nil) },
		"request kind":  func(id uint64) []byte { return encodeFrame(kindGet, id, nil) },
		"bad get reply": func(id uint64) []byte { return encodeFrame(kindOK, id, []byte{0xff, 0xff}) },
		"bad error":     func(id uint64) []byte { return encodeFrame(kindErr, id, []byte{errCodeLimit, 0xff}) },
		"chunk for get": func(id uint64) []byte { return encodeFrame(kindChunk, id, []byte("x")) },
		"event flood":   func(id uint64) []byte { return bytes.Repeat(encodeFrame(kindEvent, id, nil), 100) },
		"wrong id first": func(id uint64) []byte {
			return append(encodeFrame(kindOK, id+7, nil), encodeFrame(kindOK+30, id, nil)...)
		},
	}
	for name, reply := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			fakeService(t, dir, reply)
			db, err := Open(dir, Options{DialTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, _, err = db.Get(ctx, []byte("k"))
			if err == nil || ctx.Err() != nil {
				t.Fatalf("Get against a hostile service: %v (context: %v)", err, ctx.Err())
			}
			t.Logf("Get: %v", err)
		})
	}
	// A peer that stops in the middle of a frame holds a request only
	// until the caller's deadline.
	dir := t.TempDir()
	fakeService(t, dir, func(uint64) []byte { return []byte{0, 0, 0, 20, kindOK} })
	db, err := Open(dir, Options{DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, err := db.Get(ctx, []byte("k")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get against a stalled service: %v", err)
	}
}
