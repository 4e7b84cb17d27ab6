package logins

import (
	"errors"
	"net"
	"sync"
	"testing"
)

func TestAcquireLimits(t *testing.T) {
	tests := []struct {
		name    string
		lim     Limits
		held    [][2]string // user, host already logged in
		user    string
		host    string
		wantErr string
	}{
		{name: "no limits", held: [][2]string{{"bob", "h"}, {"bob", "h"}}, user: "bob", host: "h"},
		{name: "user under", lim: Limits{PerUser: 2}, held: [][2]string{{"bob", "h"}}, user: "bob", host: "h"},
		{name: "user reached", lim: Limits{PerUser: 2}, held: [][2]string{{"bob", "h"}, {"bob", "g"}}, user: "bob", host: "h",
			wantErr: "Too many open connections (2 of 2 for bob)"},
		{name: "other user", lim: Limits{PerUser: 1}, held: [][2]string{{"bob", "h"}}, user: "ann", host: "h"},
		{name: "host reached", lim: Limits{PerHost: 1}, held: [][2]string{{"ann", "10.0.0.1"}}, user: "bob", host: "10.0.0.1",
			wantErr: "Too many open connections (1 of 1 from [10.0.0.1])"},
		{name: "both listed", lim: Limits{PerHost: 1, PerUser: 5}, held: [][2]string{{"bob", "10.0.0.1"}}, user: "bob", host: "10.0.0.1",
			wantErr: "Too many open connections (1 of 1 from [10.0.0.1], 1 of 5 for bob)"},
		{name: "other host", lim: Limits{PerHost: 1}, held: [][2]string{{"ann", "10.0.0.1"}}, user: "bob", host: "10.0.0.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRegistry()
			for _, h := range tc.held {
				if _, err := r.Acquire(h[0], h[1], Limits{}); err != nil {
					t.Fatal(err)
				}
			}
			slot, err := r.Acquire(tc.user, tc.host, tc.lim)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Acquire: %v", err)
				}
				slot.Release()
				return
			}
			var tm *TooMany
			if !errors.As(err, &tm) || err.Error() != tc.wantErr {
				t.Fatalf("Acquire = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestReleaseFreesTheSlotOnce(t *testing.T) {
	r := NewRegistry()
	lim := Limits{PerUser: 1}
	a, err := r.Acquire("bob", "h", lim)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Acquire("bob", "h", lim); err == nil {
		t.Fatal("second login allowed")
	}
	a.Release()
	a.Release() // idempotent: must not free a slot it does not hold
	b, err := r.Acquire("bob", "h", lim)
	if err != nil {
		t.Fatalf("login after release: %v", err)
	}
	if u, h := r.Count("bob", "h"); u != 1 || h != 1 {
		t.Fatalf("counts = %d, %d; want 1, 1", u, h)
	}
	b.Release()
	if u, h := r.Count("bob", "h"); u != 0 || h != 0 {
		t.Fatalf("counts = %d, %d after release; want 0, 0", u, h)
	}
	var nilSlot *Slot
	nilSlot.Release()
}

func TestConcurrentAcquireNeverExceeds(t *testing.T) {
	r := NewRegistry()
	lim := Limits{PerUser: 3}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Acquire("bob", "h", lim); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 3 {
		t.Fatalf("%d logins won, want 3", won)
	}
}

func TestHostOf(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{nil, ""},
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 993}, "127.0.0.1"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 993}, "::1"},
		{&net.UnixAddr{Name: "/tmp/s", Net: "unix"}, ""},
	}
	for _, tc := range tests {
		if got := HostOf(tc.addr); got != tc.want {
			t.Errorf("HostOf(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
	if got := DisplayHost(""); got != "[unix socket]" {
		t.Errorf("DisplayHost(\"\") = %q", got)
	}
}
