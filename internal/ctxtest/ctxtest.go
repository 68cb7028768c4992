// Package ctxtest checks that long calls stop on a cancelled context.
package ctxtest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// countdown is a context live for its first n calls of Err and cancelled
// after: it cancels a call at each of its checks in turn, deterministically.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func newCountdown(n int64) *countdown {
	c := &countdown{Context: context.Background()}
	c.n.Store(n)
	return c
}

// CheckCancels fails t unless call, given a context cancelled before it
// starts or at any of about eight of its ctx.Err checks spread over a run,
// returns an error matching context.Canceled under errors.Is (never
// another error from work done on partial results), and no error with a
// live context. A call must check its context at least three times.
func CheckCancels(t *testing.T, call func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := call(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before the call: error %v, want context.Canceled", err)
	}
	const many = 1 << 40
	live := newCountdown(many)
	if err := call(live); err != nil {
		t.Fatalf("live context: %v", err)
	}
	checks := many - live.n.Load()
	if checks < 3 {
		t.Fatalf("%d context checks in a whole run; want checks inside the call", checks)
	}
	step := max(1, checks/8)
	for k := int64(1); k < checks; k += step {
		if err := call(newCountdown(k)); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d of %d checks: error %v, want context.Canceled", k, checks, err)
		}
	}
}
