//go:build !faultinject

package service

import "net"

// injectFaults is the identity in every shipped binary; builds with the
// faultinject tag (tests only, see fault_on.go) replace it.
func injectFaults(c net.Conn) net.Conn { return c }
