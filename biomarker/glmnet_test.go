package biomarker

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitErrors: bad shapes, options and outcomes are errors matching the
// sentinels.
func TestFitErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	cases := []struct {
		name string
		err  error
		fit  func() error
	}{
		{"shape", ErrShape, func() error {
			_, err := Fit(context.Background(), x, 3, 3, []float64{0, 1, 0}, 1, NetOptions{})
			return err
		}},
		{"alpha", ErrOption, func() error {
			_, err := Fit(context.Background(), x, 3, 2, []float64{0, 1, 0}, -0.1, NetOptions{})
			return err
		}},
		{"lambda", ErrOption, func() error {
			_, err := Fit(context.Background(), x, 3, 2, []float64{0, 1, 0}, 1, NetOptions{Lambda: []float64{0.1, math.NaN()}})
			return err
		}},
		{"outcome", ErrOption, func() error {
			_, err := Fit(context.Background(), x, 3, 2, []float64{0, 2, 0}, 1, NetOptions{})
			return err
		}},
		{"one class", ErrOneClass, func() error {
			_, err := Fit(context.Background(), x, 3, 2, []float64{1, 1, 1}, 1, NetOptions{})
			return err
		}},
		{"maxit", ErrConvergence, func() error {
			_, err := Fit(context.Background(), x, 3, 2, []float64{0, 1, 1}, 1, NetOptions{Lambda: []float64{1e-3}, MaxIt: 1})
			return err
		}},
	}
	for _, c := range cases {
		if err := c.fit(); !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
}

// TestFitConstantFeature: a constant feature is left out — its coefficient
// is exactly 0 at every λ — and the rest of the fit is as without it.
func TestFitConstantFeature(t *testing.T) {
	x := []float64{1.0, 7, 2.1, 7, 2.9, 7, 4.2, 7, 4.8, 7, 6.1, 7}
	x1 := []float64{1.0, 2.1, 2.9, 4.2, 4.8, 6.1}
	y := []float64{0, 1, 0, 0, 1, 1}
	a, err := Fit(context.Background(), x, 6, 2, y, 0.5, NetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fit(context.Background(), x1, 6, 1, y, 0.5, NetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Lambda) != len(b.Lambda) {
		t.Fatalf("%d vs %d λ", len(a.Lambda), len(b.Lambda))
	}
	for k := range a.Lambda {
		if a.Beta[k][1] != 0 || a.Beta[k][0] != b.Beta[k][0] || a.Intercept[k] != b.Intercept[k] || a.Lambda[k] != b.Lambda[k] {
			t.Fatalf("λ %d: %v %v %v vs %v %v", k, a.Beta[k], a.Intercept[k], a.Lambda[k], b.Beta[k], b.Intercept[k])
		}
	}
}

// TestAUCReference: AUC (rank sums with mid-ranks) equals the pairwise
// definition on random scores with ties, and ROCCurve's trapezoid area
// equals it too.
func TestAUCReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(30)
		s, y := make([]float64, n), make([]float64, n)
		for i := range s {
			s[i] = float64(rng.IntN(8)) // many ties
			y[i] = float64(rng.IntN(2))
		}
		y[0], y[1] = 0, 1
		var num, den float64
		for i := range s {
			for j := range s {
				if y[i] == 1 && y[j] == 0 {
					den++
					switch {
					case s[i] > s[j]:
						num++
					case s[i] == s[j]:
						num += 0.5
					}
				}
			}
		}
		want := num / den
		if got := AUC(s, y); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: AUC %v, pairwise %v", trial, got, want)
		}
		pts := ROCCurve(s, y)
		area := 0.0
		for k := 1; k < len(pts); k++ {
			area += (pts[k].FPR - pts[k-1].FPR) * (pts[k].TPR + pts[k-1].TPR) / 2
		}
		if last := pts[len(pts)-1]; last.FPR != 1 || last.TPR != 1 || math.Abs(area-want) > 1e-12 {
			t.Fatalf("trial %d: ROC ends %v, area %v, want %v", trial, last, area, want)
		}
	}
	if !math.IsNaN(AUC([]float64{1, 2}, []float64{1, 1})) {
		t.Error("one class: AUC not NaN")
	}
}
