//go:build !race

package hugemsg

// Size is the size of the message the memory tests send: 256 MiB, or 32
// MiB under the race detector, whose byte-by-byte decoding is ten times
// slower (any copy of the message in memory still passes the tests'
// few-MiB bound many times over).
const Size = 256 << 20
