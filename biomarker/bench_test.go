package biomarker

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkFitPath160x200 times a full default λ path (α = 0.5) on 160
// samples × 200 features with a strong signal in 20 of them — the size of
// one outer training fold of `exomir panel` on 200 samples.
func BenchmarkFitPath160x200(b *testing.B) {
	const n, p = 160, 200
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n*p)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		f := 0.0
		for j := 0; j < p; j++ {
			x[i*p+j] = rng.NormFloat64()
			if j < 20 {
				f += 0.8 * x[i*p+j]
			}
		}
		if rng.Float64() < 1/(1+math.Exp(-f)) {
			y[i] = 1
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(context.Background(), x, n, p, y, 0.5, NetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
