// Package test holds the black-box tests: they build the real binaries,
// write a configuration into a temporary directory, and drive the programs
// and daemons the way an administrator and a mail client would.
package test
