package service

import (
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"time"
)

// farewellTimeout bounds the write of a failed session's last words: a
// client that does not read must not hold the goroutine.
const farewellTimeout = 5 * time.Second

// Recover, deferred by a protocol's connection handler after the deferred
// calls that release the session's resources, turns a panic in the session
// into the end of that session only: it logs the panic with its stack at
// error level on log (which should name the session and peer), sends the
// protocol's last words through farewell (nil = none) with a bounded write
// deadline on conn, and returns normally so the handler's other deferred
// calls close the connection and release what the session held. The
// process keeps serving its other sessions.
//
// farewell writes on the session's current writer (after STARTTLS or
// COMPRESS, the wrapped one); a panic inside it is logged and swallowed.
func Recover(log *slog.Logger, conn net.Conn, farewell func()) {
	v := recover()
	if v == nil {
		return
	}
	logPanic(log, v, debug.Stack())
	if farewell == nil || conn == nil {
		return
	}
	conn.SetWriteDeadline(time.Now().Add(farewellTimeout))
	func() {
		defer func() {
			if v := recover(); v != nil {
				logger(log).Error("farewell after a session panic failed", "panic", fmt.Sprint(v))
			}
		}()
		farewell()
	}()
}

// Guard, deferred at the top of a goroutine a session starts (an IDLE
// watcher, a subscription pump), logs a panic in it with its stack instead
// of letting it end the process; then it calls onPanic (nil = nothing),
// which typically wakes the session so it ends itself.
func Guard(log *slog.Logger, what string, onPanic func()) {
	v := recover()
	if v == nil {
		return
	}
	logPanic(logger(log).With("goroutine", what), v, debug.Stack())
	if onPanic != nil {
		onPanic()
	}
}

func logPanic(log *slog.Logger, v any, stack []byte) {
	logger(log).Error("session panic: server bug", "panic", fmt.Sprint(v), "stack", string(stack))
}

func logger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}
