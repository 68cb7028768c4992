package diffexp

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// countdownCtx is live for its first n calls of Err and cancelled after:
// it cancels a fit at each of its check points in turn, deterministically.
type countdownCtx struct {
	context.Context
	n atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func countdown(n int) *countdownCtx {
	c := &countdownCtx{Context: context.Background()}
	c.n.Store(int64(n))
	return c
}

// longCalls are the exported fits that take a context, on a small study.
func longCalls() map[string]func(ctx context.Context) error {
	c, cd := simulate(3, 200, 4)
	batch := []string{"a", "b", "a", "b", "a", "b", "a", "b"}
	levels := []IsomirLevel{{Level: "isomir", Counts: c, Mirna: c.Features, Variant: c.Features, SeedShift: make([]bool, len(c.Features))}}
	o := Options{Workers: 2}
	to := TransformOptions{Workers: 2}
	return map[string]func(ctx context.Context) error{
		"DESeq": func(ctx context.Context) error { _, err := DESeq(ctx, c, cd, o); return err },
		"DESeq LRT": func(ctx context.Context) error {
			_, err := DESeq(ctx, c, cd, Options{Test: TestLRT, Workers: 1})
			return err
		},
		"LFCShrinkNormal": func(ctx context.Context) error { _, _, err := LFCShrinkNormal(ctx, c, cd, o); return err },
		"IsomirDE":        func(ctx context.Context) error { _, err := IsomirDE(ctx, levels, cd, o); return err },
		"EdgeR":           func(ctx context.Context) error { _, err := EdgeR(ctx, c, cd, o); return err },
		"EdgeRQL":         func(ctx context.Context) error { _, err := EdgeRQL(ctx, c, cd, o); return err },
		"EdgeRQL design": func(ctx context.Context) error {
			cd2 := &ColData{Samples: cd.Samples, Names: []string{"batch", "condition"}, Columns: [][]string{batch, cd.Columns[0]}}
			_, err := EdgeRQL(ctx, c, cd2, Options{Design: "~ batch + condition", Workers: 2})
			return err
		},
		"ComBatSeq": func(ctx context.Context) error { _, err := ComBatSeq(ctx, c, batch, cd.Columns[0], 2); return err },
		"VST":       func(ctx context.Context) error { _, err := VST(ctx, c, cd, to); return err },
		"VST local": func(ctx context.Context) error {
			_, err := VST(ctx, c, cd, TransformOptions{FitType: "local", Workers: 1})
			return err
		},
		"RLog":   func(ctx context.Context) error { _, err := RLog(ctx, c, cd, to); return err },
		"FitVST": func(ctx context.Context) error { _, _, err := FitVST(ctx, c, cd, to); return err },
	}
}

// TestCancelStopsLongCalls: a context cancelled before the call, or at any
// of the checks along it, ends the call with an error matching
// context.Canceled — never with another error from a stage that ran on the
// rows left undone — and a live context gives no error.
func TestCancelStopsLongCalls(t *testing.T) {
	for name, call := range longCalls() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := call(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled before the call: error %v, want context.Canceled", err)
			}
			// the number of checks of a whole run
			live := countdown(1 << 40)
			if err := call(live); err != nil {
				t.Fatalf("live context: %v", err)
			}
			checks := int(1<<40 - live.n.Load())
			if checks < 3 {
				t.Fatalf("%d context checks in a whole run; want checks inside the fit", checks)
			}
			// cancel at about eight points spread over the run
			step := max(1, checks/8)
			for k := 1; k < checks; k += step {
				if err := call(countdown(k)); !errors.Is(err, context.Canceled) {
					t.Fatalf("cancelled after %d of %d checks: error %v, want context.Canceled", k, checks, err)
				}
			}
		})
	}
}
