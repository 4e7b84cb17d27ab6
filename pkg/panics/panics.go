package panics

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Error is a panic caught in a helper goroutine: its value and the stack
// of the goroutine that panicked.
type Error struct {
	Value any
	Stack []byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("panic in a helper goroutine: %v\n%s", e.Value, e.Stack)
}

// Unwrap returns the value when it is an error.
func (e *Error) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Box holds the first panic of the helper goroutines sharing it. The zero
// value is ready to use.
type Box struct {
	mu     sync.Mutex
	caught *Error
}

// Catch, deferred at the top of a helper goroutine, keeps a panic of that
// goroutine in the box instead of letting it end the process. Later calls
// after a panic keep the first one.
func (b *Box) Catch() {
	v := recover()
	if v == nil {
		return
	}
	e := &Error{Value: v, Stack: debug.Stack()}
	b.mu.Lock()
	if b.caught == nil {
		b.caught = e
	}
	b.mu.Unlock()
}

// Rethrow, called by the waiter once every helper sharing the box has
// finished, panics with the caught *Error if there is one.
func (b *Box) Rethrow() {
	b.mu.Lock()
	e := b.caught
	b.mu.Unlock()
	if e != nil {
		panic(e)
	}
}

// Guard, deferred at the top of a background goroutine that nothing waits
// for (a flush, a notification, a connection's reader), hands a panic of
// that goroutine to fail as an *Error instead of letting it end the
// process: fail logs it and fails only what the goroutine served.
func Guard(fail func(*Error)) {
	v := recover()
	if v == nil {
		return
	}
	fail(&Error{Value: v, Stack: debug.Stack()})
}
