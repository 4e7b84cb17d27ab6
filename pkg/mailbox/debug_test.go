package mailbox

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestMain2Debug(t *testing.T) {}

var dbgMu sync.Mutex
var dbgN, dbgB int
var dbgA, dbgBt time.Duration

func init() {
	DebugStat = func(n int, a, b time.Duration) {
		dbgMu.Lock()
		dbgN += n
		dbgB++
		dbgA += a
		dbgBt += b
		dbgMu.Unlock()
	}
}

func BenchmarkZDebug(b *testing.B) {
	dbgN, dbgB, dbgA, dbgBt = 0, 0, 0, 0
	BenchmarkAppend16(b)
	if dbgB > 0 {
		fmt.Printf("N=%d batches=%d avg batch=%.1f filesync=%v commit=%v\n", b.N, dbgB, float64(dbgN)/float64(dbgB), dbgA/time.Duration(dbgB), dbgBt/time.Duration(dbgB))
	}
}
