package diffexp

import (
	"context"
	"testing"

	"github.com/exomir/exomir/internal/ctxtest"
)

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
		t.Run(name, func(t *testing.T) { ctxtest.CheckCancels(t, call) })
	}
}
