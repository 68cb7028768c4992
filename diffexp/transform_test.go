package diffexp

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestTransformsDeterministic: outputs are byte-identical whatever the
// number of workers.
func TestTransformsDeterministic(t *testing.T) {
	c, cd := simulate(3, 400, 6)
	c.Values[7*12] = 0 // a few zeros
	for _, method := range []string{"vst", "vst-local", "rlog"} {
		var outs [][]byte
		for _, w := range []int{1, 3, 8} {
			o := TransformOptions{Workers: w, Blind: boolPtr(false)}
			var tr *Transformed
			var err error
			switch method {
			case "vst":
				tr, err = VST(context.Background(), c, cd, o)
			case "vst-local":
				o.FitType = "local"
				tr, err = VST(context.Background(), c, cd, o)
			default:
				tr, err = RLog(context.Background(), c, cd, o)
			}
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := WriteTransformed(&b, tr); err != nil {
				t.Fatal(err)
			}
			outs = append(outs, b.Bytes())
		}
		for k := 1; k < len(outs); k++ {
			if !bytes.Equal(outs[0], outs[k]) {
				t.Errorf("%s: output depends on the worker count", method)
			}
		}
	}
	var outs [][]byte
	for _, w := range []int{1, 5} {
		res, _, err := LFCShrinkNormal(context.Background(), c, cd, Options{Workers: w, Contrast: []string{"condition", "tumor", "control"}})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteResults(&b, res); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b.Bytes())
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("lfcShrink: output depends on the worker count")
	}
}

// TestWeightedQuantileEqualWeights: with equal weights Hmisc's weighted
// quantile is R's type-7 quantile, and scaling the weights changes nothing.
func TestWeightedQuantileEqualWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(60)
		x := make([]float64, n)
		w := make([]float64, n)
		w2 := make([]float64, n)
		for k := range x {
			x[k] = math.Round(rng.NormFloat64()*20) / 10 // ties
			w[k] = 1
			w2[k] = 3.5
		}
		abs := make([]float64, n)
		for k, v := range x {
			abs[k] = math.Abs(v)
		}
		sort.Float64s(abs)
		q := quantileR7(abs, 0.95) / qnorm975
		want := q * q
		got := weightedUpperQuantileVar(x, w, 0.05)
		got2 := weightedUpperQuantileVar(x, w2, 0.05)
		if math.Abs(got-want) > 1e-12*math.Max(1, want) || math.Abs(got2-want) > 1e-12*math.Max(1, want) {
			t.Fatalf("trial %d: %g, %g (weights 3.5), want %g; x %v", trial, got, got2, want, x)
		}
	}
	// a dominant weight pulls the quantile to its value
	if v := weightedUpperQuantileVar([]float64{0.1, 0.2, 3}, []float64{1, 1, 1e6}, 0.05); math.Abs(math.Sqrt(v)*qnorm975-3) > 1e-9 {
		t.Errorf("dominant weight: sd·z = %g, want 3", math.Sqrt(v)*qnorm975)
	}
}

// TestFMMSplineCubic: the FMM end conditions make the spline exact for a
// cubic, inside the knots and when extrapolated.
func TestFMMSplineCubic(t *testing.T) {
	f := func(x float64) float64 { return 0.3*x*x*x - 2*x*x + x - 5 }
	rng := rand.New(rand.NewPCG(4, 5))
	x := []float64{0}
	for k := 1; k < 40; k++ {
		x = append(x, x[k-1]+0.05+rng.Float64())
	}
	y := make([]float64, len(x))
	for k, v := range x {
		y[k] = f(v)
	}
	sp := newFMMSpline(x, y)
	for k := 0; k < 500; k++ {
		u := -3 + (x[len(x)-1]+6)*rng.Float64()
		if d := math.Abs(sp.at(u) - f(u)); d > 1e-8*math.Max(1, math.Abs(f(u))) {
			t.Fatalf("s(%g) = %g, want %g", u, sp.at(u), f(u))
		}
	}
}

// TestRidgeFitStationary: at ridgeFit's solution the penalised score
// Xᵀ(y − μ)/(1 + αμ) − λβ vanishes.
func TestRidgeFitStationary(t *testing.T) {
	c, _ := simulate(9, 50, 4)
	m := len(c.Samples)
	p := m + 1
	x := make([]float64, m*p)
	for j := 0; j < m; j++ {
		x[j*p] = 1
		x[j*p+j+1] = 1
	}
	sf := make([]float64, m)
	for j := range sf {
		sf[j] = 0.7 + 0.1*float64(j)
	}
	lambda := make([]float64, p)
	lambda[0] = 1e-6
	for k := 1; k < p; k++ {
		lambda[k] = 2.5
	}
	ws := newRidgeWork(m, p)
	beta := make([]float64, p)
	for i := 0; i < len(c.Features); i++ {
		y := c.Values[i*m : (i+1)*m]
		clear(beta)
		mean := 0.0
		for j, v := range y {
			mean += v / sf[j] / float64(m)
		}
		beta[0] = math.Log(mean) // rlog's start
		alpha := 0.1
		if !ridgeFit(x, m, p, sf, y, alpha, lambda, beta, 1e-10, ws) {
			t.Fatalf("row %d: no convergence", i)
		}
		for k := 0; k < p; k++ {
			g := -lambda[k] * beta[k]
			for j := 0; j < m; j++ {
				mu := sf[j] * math.Exp(dot(x[j*p:(j+1)*p], beta))
				if mu < glmMinMu {
					continue // floored means: not a stationary point there
				}
				g += x[j*p+k] * (y[j] - mu) / (1 + alpha*mu)
			}
			if math.Abs(g) > 1e-4 {
				t.Fatalf("row %d coefficient %d: score %g", i, k, g)
			}
		}
	}
}

func TestTrimmedMeanR(t *testing.T) {
	x := make([]float64, 2000)
	for k := range x {
		x[k] = float64(k)
	}
	x[0], x[1999] = -1e9, 1e9 // trimmed: floor(2000 · 0.001) = 2 from each end
	want := 0.0
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	for _, v := range s[2:1998] {
		want += v
	}
	want /= 1996
	if got := trimmedMeanR(x, 0.001); math.Abs(got-want) > 1e-9 {
		t.Errorf("trimmed mean %g, want %g", got, want)
	}
}

func TestTransformErrors(t *testing.T) {
	c, cd := simulate(2, 50, 3)
	if _, err := VST(context.Background(), c, cd, TransformOptions{FitType: "loess"}); !errors.Is(err, ErrDesign) {
		t.Errorf("bad fit type: %v", err)
	}
	if _, err := VST(context.Background(), c, nil, TransformOptions{Blind: boolPtr(false)}); !errors.Is(err, ErrMissingSample) {
		t.Errorf("no coldata with blind=false: %v", err)
	}
	if _, err := VST(context.Background(), c, nil, TransformOptions{}); err != nil {
		t.Errorf("blind without coldata: %v", err)
	}
	bad := *c
	bad.Values = append([]float64(nil), c.Values...)
	bad.Values[3] = 2.5
	if _, err := RLog(context.Background(), &bad, cd, TransformOptions{}); !errors.Is(err, ErrNotInteger) {
		t.Errorf("non-integer count: %v", err)
	}
	if _, _, err := LFCShrinkNormal(context.Background(), c, cd, Options{Test: "lrt"}); !errors.Is(err, ErrDesign) {
		t.Errorf("shrink with LRT: %v", err)
	}
	if err := WriteTransformed(&bytes.Buffer{}, &Transformed{Features: []string{"a"}, Samples: []string{"s"}}); !errors.Is(err, ErrRagged) {
		t.Errorf("ragged matrix: %v", err)
	}
}

// TestTransformAllZeroRow: DESeq2 gives an all-zero row rlog 0 and the
// VST of a zero count.
func TestTransformAllZeroRow(t *testing.T) {
	c, cd := simulate(5, 100, 4)
	m := len(c.Samples)
	for j := 0; j < m; j++ {
		c.Values[10*m+j] = 0
	}
	r, err := RLog(context.Background(), c, cd, TransformOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := VST(context.Background(), c, cd, TransformOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a0, a1 := v.AsymptDisp, v.ExtraPois
	v0 := math.Log2((1 + a1) / (4 * a0))
	for j := 0; j < m; j++ {
		if r.Values[10*m+j] != 0 {
			t.Errorf("rlog of an all-zero row: %g", r.Values[10*m+j])
		}
		if math.Abs(v.Values[10*m+j]-v0) > 1e-12 {
			t.Errorf("vst of zero: %g, want %g", v.Values[10*m+j], v0)
		}
	}
}

// BenchmarkVST2600x200 times VST (parametric, blind) on a simulated
// 2,600 × 200 matrix.
func BenchmarkVST2600x200(b *testing.B) {
	c, _ := simulate(11, 2600, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := VST(context.Background(), c, nil, TransformOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRLog2600x20 times RLog (blind) on a simulated 2,600 × 20 matrix.
func BenchmarkRLog2600x20(b *testing.B) {
	c, _ := simulate(11, 2600, 10)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := RLog(context.Background(), c, nil, TransformOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRLogFitMatchesRidgeFit: the O(m) arrow-matrix solver of rlog gives
// the general ridge IRLS's coefficients on random rows.
func TestRLogFitMatchesRidgeFit(t *testing.T) {
	c, _ := simulate(21, 60, 5)
	m := len(c.Samples)
	p := m + 1
	x := make([]float64, m*p)
	for j := 0; j < m; j++ {
		x[j*p] = 1
		x[j*p+j+1] = 1
	}
	rng := rand.New(rand.NewPCG(8, 9))
	sf := make([]float64, m)
	for j := range sf {
		sf[j] = 0.5 + rng.Float64()
	}
	wsA, wsB := newRidgeWork(m, p), newRidgeWork(m, 1)
	a, b := make([]float64, p), make([]float64, p)
	for i := 0; i < len(c.Features); i++ {
		y := c.Values[i*m : (i+1)*m]
		alpha := 0.01 + rng.Float64()
		lambda := make([]float64, p)
		lambda[0] = 1e-6
		for k := 1; k < p; k++ {
			lambda[k] = 0.2 + 3*rng.Float64()
		}
		for k := 2; k < p; k++ {
			lambda[k] = lambda[1] // rlog: one prior for all samples
		}
		mean := 0.0
		for j, v := range y {
			mean += v / sf[j] / float64(m)
		}
		clear(a)
		clear(b)
		a[0], b[0] = math.Log(mean+0.5), math.Log(mean+0.5)
		okA := ridgeFit(x, m, p, sf, y, alpha, lambda, a, 1e-10, wsA)
		okB := rlogFit(sf, y, alpha, lambda[0], lambda[1], b, 1e-10, wsB)
		if okA != okB {
			t.Fatalf("row %d: convergence %v vs %v", i, okA, okB)
		}
		for k := range a {
			if math.Abs(a[k]-b[k]) > 1e-8 {
				t.Fatalf("row %d coefficient %d: ridgeFit %g, rlogFit %g", i, k, a[k], b[k])
			}
		}
	}
}
