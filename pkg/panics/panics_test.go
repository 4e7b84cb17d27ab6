package panics

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func helperBug() {
	var m map[string]int
	m["x"]++
}

// A panic in a helper goroutine is raised again in the waiter, with the
// helper's stack, and the process lives on.
func TestRethrowInWaiter(t *testing.T) {
	var box Box
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			defer box.Catch()
			if i == 2 {
				helperBug()
			}
		})
	}
	wg.Wait()
	defer func() {
		v := recover()
		e, ok := v.(*Error)
		if !ok {
			t.Fatalf("recovered %T %v, want *Error", v, v)
		}
		var re interface{ RuntimeError() }
		if !errors.As(e, &re) {
			t.Errorf("the runtime error is not unwrapped: %v", e.Value)
		}
		if !strings.Contains(e.Error(), "assignment to entry in nil map") || !strings.Contains(e.Error(), "helperBug") {
			t.Errorf("error lacks the value or the helper's stack:\n%s", e)
		}
	}()
	box.Rethrow()
	t.Fatal("Rethrow did not panic")
}

func TestNothingCaught(t *testing.T) {
	var box Box
	func() { defer box.Catch() }()
	box.Rethrow() // no panic
}

// A panic in a background goroutine reaches its fail function with the
// goroutine's stack; the process lives on.
func TestGuardHandsPanicToFail(t *testing.T) {
	got := make(chan *Error, 1)
	go func() {
		defer Guard(func(e *Error) { got <- e })
		helperBug()
	}()
	e := <-got
	if !strings.Contains(e.Error(), "assignment to entry in nil map") || !strings.Contains(e.Error(), "helperBug") {
		t.Errorf("error lacks the value or the goroutine's stack:\n%s", e)
	}
	func() { defer Guard(func(*Error) { t.Error("fail called without a panic") }) }()
}
