//go:build race

package hugemsg

// Size: see size_norace.go.
const Size = 32 << 20
