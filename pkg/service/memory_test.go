package service

import (
	"bufio"
	"context"
	"io"
	"net"
	"runtime"
	"runtime/debug"
	"testing"
)

// heapHeld is the heap memory the process keeps from the system: in use, or free but not yet
// returned.
func heapHeld() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapSys - m.HeapReleased
}

// When many sessions end, what they used goes back to the system without waiting for the
// runtime's own pace. The collector is off for the test (a collection forced by Serve is the
// only one), so without the give-back the sessions' buffers would still be held at the end.
func TestMemoryGivenBackAfterSessions(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	debug.FreeOSMemory()
	start := heapHeld()

	const sessions = 600
	const perSession = 256 << 10
	handler := func(ctx context.Context, c net.Conn) {
		buf := make([]byte, perSession) // a session's buffers
		for i := range buf {
			buf[i] = byte(i)
		}
		io.WriteString(c, "ready\n")
		io.Copy(io.Discard, c) // until the client closes
		runtime.KeepAlive(buf)
	}
	s := serveBg(t, handler, Options{})
	conns := make([]net.Conn, 0, sessions)
	for range sessions {
		c := dial(t, s.addr)
		if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "ready\n" {
			t.Fatalf("session %d: %q, %v", len(conns)+1, got, err)
		}
		conns = append(conns, c)
	}
	peak := heapHeld()
	if peak < start+sessions*perSession {
		t.Fatalf("heap held %d MiB with %d sessions open, want at least %d MiB more than the %d MiB at the start",
			peak>>20, sessions, sessions*perSession>>20, start>>20)
	}
	for _, c := range conns {
		c.Close()
	}
	s.stop()
	if err := s.wait(t, 30e9); err != nil {
		t.Fatal(err)
	}
	// At most the sessions that ended after the last give-back (fewer than giveBackPeak/4
	// here, see giveBackPeak) are still held.
	end := heapHeld()
	if slack := uint64(giveBackPeak/4*perSession + 8<<20); end > start+slack {
		t.Fatalf("heap held %d MiB after %d sessions ended (%d MiB at the start, %d MiB at the peak)", end>>20, sessions, start>>20, peak>>20)
	}
	t.Logf("heap held: start %d MiB, %d sessions %d MiB, after %d MiB", start>>20, sessions, peak>>20, end>>20)
}
