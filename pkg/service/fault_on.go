//go:build faultinject

package service

import (
	"bytes"
	"net"
)

// FaultTrigger, read on a connection of a binary built with the
// faultinject tag, panics inside that session as a bug would. Only tests
// build such binaries (test/fault_test.go); shipped ones never contain
// this file.
const FaultTrigger = "GOCYRUS-FAULT-PANIC"

func injectFaults(c net.Conn) net.Conn { return faultConn{c} }

type faultConn struct{ net.Conn }

func (c faultConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if bytes.Contains(p[:n], []byte(FaultTrigger)) {
		panic("faultinject: " + FaultTrigger + " read from the client")
	}
	return n, err
}
