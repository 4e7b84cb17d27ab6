package service

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// StartTLS moves the reader and writer onto TLS and drops what the client
// pipelined in plaintext after STARTTLS.
func TestStartTLS(t *testing.T) {
	srvConn, cliConn := net.Pipe()
	defer srvConn.Close()
	defer cliConn.Close()
	r, w := bufio.NewReader(srvConn), bufio.NewWriter(srvConn)

	client := make(chan error, 1)
	go func() {
		// The injected command arrives with STARTTLS, in the same write.
		if _, err := cliConn.Write([]byte("STLS\r\nINJECTED\r\n")); err != nil {
			client <- err
			return
		}
		tc := tls.Client(cliConn, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
		if _, err := tc.Write([]byte("SECURE\r\n")); err != nil {
			client <- err
			return
		}
		line, err := bufio.NewReader(tc).ReadString('\n')
		if err == nil && line != "+OK over TLS\r\n" {
			t.Errorf("client read %q", line)
		}
		client <- err
	}()

	if line := readLine(t, r); line != "STLS\r" {
		t.Fatalf("read %q", line)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tc, st, err := StartTLS(ctx, srvConn, selfSigned(t), r, w)
	if err != nil || tc == nil || st == nil {
		t.Fatalf("StartTLS: %v, %v, %v", tc, st, err)
	}
	if line := readLine(t, r); line != "SECURE\r" {
		t.Errorf("after STARTTLS read %q, want the first line sent over TLS", line)
	}
	w.WriteString("+OK over TLS\r\n")
	Flush(tc, w, time.Minute, nil)
	if err := <-client; err != nil {
		t.Fatal(err)
	}
}

// A write that fails closes the connection, so the session's next read
// ends it.
func TestFlushFailureClosesConn(t *testing.T) {
	srvConn, cliConn := net.Pipe()
	cliConn.Close() // the peer is gone
	w := bufio.NewWriter(srvConn)
	w.WriteString("+OK\r\n")
	Flush(srvConn, w, time.Minute, nil)
	if _, err := srvConn.Read(make([]byte, 1)); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("read after a failed flush: %v, want the connection closed", err)
	}
}
