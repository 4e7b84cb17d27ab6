// Package panics carries a panic out of a helper goroutine to the goroutine
// that waits for it.
//
// A panic in a goroutine that nothing recovers ends the whole process, so
// one session's bug in a helper goroutine (a parallel decode, a concurrent
// lookup) would drop every user. Instead, the helper defers Box.Catch and
// the waiter calls Box.Rethrow after its wait: the panic is raised again
// in the waiter's goroutine, inside the session, where the protocol's
// recovery (service.Recover) ends that session only and logs it. The value
// raised is an *Error that keeps the helper's stack. A background
// goroutine that nothing waits for defers Guard instead, whose function
// logs the *Error and fails only what that goroutine served.
//
// The package imports nothing of gocyrus, so any package may use it.
package panics
