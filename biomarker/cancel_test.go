package biomarker

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/exomir/exomir/internal/ctxtest"
)

// TestCancelStopsFits: Fit, CV and BuildPanel end with an error matching
// context.Canceled when the context is cancelled before the call or at
// any of the checks along it, and without error on a live context.
func TestCancelStopsFits(t *testing.T) {
	c, cd := simCounts(4, 120, 8, 8, 10, 3)
	x, n, p, y := randomDesign(5, 30, 20)
	calls := map[string]func(ctx context.Context) error{
		"Fit": func(ctx context.Context) error { _, err := Fit(ctx, x, n, p, y, 0.5, NetOptions{}); return err },
		"CV": func(ctx context.Context) error {
			_, err := CV(ctx, x, n, p, y, 0.5, NetOptions{}, 3, rand.New(rand.NewPCG(1, 2)))
			return err
		},
		"BuildPanel": func(ctx context.Context) error {
			_, err := BuildPanel(ctx, c, cd, PanelOptions{Positive: "tumor", Negative: "control", Features: 20, Alpha: 0.5, Folds: 3, Repeats: 2, Workers: 2})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { ctxtest.CheckCancels(t, call) })
	}
}

// randomDesign is an n × p matrix of standard normals whose first column
// shifts the outcome's log-odds, and the 0/1 outcome.
func randomDesign(seed uint64, n, p int) ([]float64, int, int, []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, n*p)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			x[i*p+j] = rng.NormFloat64()
		}
		if x[i*p]+rng.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	return x, n, p, y
}
