package auth

import (
	"context"
	"math/rand/v2"
	"time"
)

// DefaultFailureDelay is the mean pause before a failed authentication is
// reported, which slows password guessing on one connection.
const DefaultFailureDelay = 2 * time.Second

// NoFailureDelay as Options.FailureDelay reports failures at once (tests).
const NoFailureDelay time.Duration = -1

// failurePause waits a delay drawn uniformly from [d/2, 3d/2), so the
// timing of a failure says nothing about why it failed, or until ctx ends.
func failurePause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	wait := d/2 + rand.N(d)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
