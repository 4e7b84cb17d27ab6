package mailbox

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// benchmarkSpool spools msg repeatedly into a temp directory.
func benchmarkSpool(b *testing.B, msg []byte) {
	ctx := context.Background()
	dir := b.TempDir()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Spool(ctx, dir, bytes.NewReader(msg), SpoolLimits{})
		if err != nil {
			b.Fatal(err)
		}
		p.Remove()
	}
}

func BenchmarkSpool4K(b *testing.B) { benchmarkSpool(b, []byte(message4K)) }

func BenchmarkSpool8M(b *testing.B) {
	body := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\r\n", 8<<20/66)
	benchmarkSpool(b, []byte(testMessage(0, "big")+body))
}

func BenchmarkSpool8MBareLF(b *testing.B) {
	body := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\n", 8<<20/65)
	benchmarkSpool(b, []byte(testMessage(0, "big")+body))
}
