package diffexp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestBHAdjust(t *testing.T) {
	// R: p.adjust(c(0.01, 0.04, 0.03, 0.2, NA), "BH") =
	//    0.04 0.05333333 0.05333333 0.2 NA (worked by hand as well:
	//    sorted 0.01·4/1, 0.03·4/2, 0.04·4/3, 0.2·4/4, then running minimum
	//    from the top)
	got := AdjustBH([]float64{0.01, 0.04, 0.03, 0.2, math.NaN()})
	want := []float64{0.04, 0.16 / 3, 0.16 / 3, 0.2, math.NaN()}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-15) {
			t.Fatalf("got %v want %v", got, want)
		}
	}
}

func TestMaximizeInterpolant(t *testing.T) {
	// FMM splines reproduce cubics exactly, so the maximiser of a sampled
	// quadratic or cubic is found exactly.
	x := make([]float64, 21)
	for i := range x {
		x[i] = -10 + float64(i)
	}
	tests := []struct {
		name string
		f    func(float64) float64
		want float64
	}{
		{"quadratic", func(v float64) float64 { return -(v - 2.37) * (v - 2.37) }, 2.37},
		{"edge", func(v float64) float64 { return v }, 10},
		// −(v+4.2)²(v+20)/10 has its local maximum at v = −4.2 on the grid
		{"cubic", func(v float64) float64 { return -(v + 4.2) * (v + 4.2) * (v + 20) / 10 }, -4.2},
	}
	for _, tc := range tests {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = tc.f(v)
		}
		if got := maximizeInterpolant(x, y); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: got %v want %v", tc.name, got, tc.want)
		}
	}
}

// exactNaive computes the doubletail p-value by summing the whole
// conditional distribution of the first group's sum given the total.
func exactNaive(s1, s2 float64, n1, n2 int, phi float64) float64 {
	s := s1 + s2
	mu := s / float64(n1+n2)
	mu1, mu2 := float64(n1)*mu, float64(n2)*mu
	d := func(x, m, size float64) float64 {
		a, _ := math.Lgamma(x + size)
		b, _ := math.Lgamma(size)
		c, _ := math.Lgamma(x + 1)
		return math.Exp(a - b - c + size*math.Log(size/(size+m)) + x*math.Log(m/(size+m)))
	}
	size1, size2 := float64(n1)/phi, float64(n2)/phi
	total, tail := 0.0, 0.0
	for x := 0.0; x <= s; x++ {
		p := d(x, mu1, size1) * d(s-x, mu2, size2)
		total += p
		if (s1 < mu1 && x <= s1) || (s1 > mu1 && x >= s1) {
			tail += p
		}
	}
	if s1 == mu1 {
		return 1
	}
	return math.Min(1, 2*tail/total)
}

func TestExactDoubleTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	var buf edgerExactBuf
	for it := 0; it < 300; it++ {
		n1, n2 := 2+rng.IntN(5), 2+rng.IntN(5)
		s1, s2 := float64(rng.IntN(300)), float64(rng.IntN(300))
		phi := math.Exp(-5 + 5*rng.Float64())
		got := exactDoubleTail(s1, s2, n1, n2, phi, &buf)
		want := exactNaive(s1, s2, n1, n2, phi)
		if math.Abs(got-want) > 1e-9*math.Max(want, 1e-300) && math.Abs(got-want) > 1e-12 {
			t.Fatalf("s1=%v s2=%v n=%d,%d φ=%v: got %v want %v", s1, s2, n1, n2, phi, got, want)
		}
	}
}

func TestQ2QIdentityAndOneGroup(t *testing.T) {
	// same input and output mean: both quantile mappings are the identity
	for _, x := range []float64{0, 1, 3, 10, 57, 400} {
		for _, mu := range []float64{2, 20, 300} {
			if got := q2qNB(x, mu, mu, 0.1); math.Abs(got-x) > 1e-3*math.Max(1, x) {
				t.Errorf("q2qNB(%v, %v, %v): %v", x, mu, mu, got)
			}
		}
	}
	// scaling the mean up moves every count up
	if q2qNB(10, 10, 20, 0.1) <= 10 || q2qNB(10, 10, 5, 0.1) >= 10 {
		t.Error("q2qNB does not follow the mean")
	}
	// the one-group NB MLE solves Σ (y − μ)/(1 + φμ) = 0
	rng := rand.New(rand.NewPCG(8, 8))
	for it := 0; it < 100; it++ {
		m := 2 + rng.IntN(10)
		y, off := make([]float64, m), make([]float64, m)
		for j := range y {
			y[j] = float64(rng.IntN(500))
			off[j] = math.Log(1e5 + 1e6*rng.Float64())
		}
		y[0]++
		phi := math.Exp(-6 + 6*rng.Float64())
		b := oneGroupNB(y, nil, off, phi, math.NaN())
		score, info := 0.0, 0.0
		for j := range y {
			mu := math.Exp(b + off[j])
			score += (y[j] - mu) / (1 + phi*mu)
			info += mu / (1 + phi*mu)
		}
		if math.Abs(score/info) > 1e-8 {
			t.Fatalf("score %v at β = %v", score, b)
		}
	}
	if b := oneGroupNB([]float64{0, 0}, nil, []float64{1, 2}, 0.1, math.NaN()); !math.IsInf(b, -1) {
		t.Errorf("all-zero group: β = %v, want −Inf", b)
	}
}

func TestEdgeREdgeCases(t *testing.T) {
	c, cd := benchCounts(300, 4, 3)
	// a zero row, a huge outlier row
	m := len(c.Samples)
	for j := 0; j < m; j++ {
		c.Values[0*m+j] = 0
		c.Values[1*m+j] = 50
	}
	c.Values[1*m+2] = 1e6
	res, err := EdgeR(context.Background(), c, cd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.PValue[0] != 1 || math.Abs(res.Log2FoldChange[0]) > 1e-12 {
		t.Errorf("zero row: logFC %v p %v, want 0 and 1 (edgeR)", res.Log2FoldChange[0], res.PValue[0])
	}
	for i := range res.Features {
		if math.IsNaN(res.PValue[i]) || res.PValue[i] < 0 || res.PValue[i] > 1 || math.IsNaN(res.Log2FoldChange[i]) {
			t.Fatalf("row %d: p %v logFC %v", i, res.PValue[i], res.Log2FoldChange[i])
		}
	}
	// deterministic regardless of workers
	res1, _ := EdgeR(context.Background(), c, cd, Options{Workers: 1})
	res3, _ := EdgeR(context.Background(), c, cd, Options{Workers: 3})
	for i := range res1.PValue {
		if res1.PValue[i] != res3.PValue[i] || res1.Dispersion[i] != res3.Dispersion[i] {
			t.Fatalf("row %d differs between 1 and 3 workers", i)
		}
	}

	// errors
	one := &ColData{Samples: cd.Samples, Names: cd.Names, Columns: [][]string{append([]string(nil), cd.Columns[0]...)}}
	for j := 1; j < 4; j++ {
		one.Columns[0][j] = "other"
	}
	zeroSample := &Counts{Features: c.Features, Samples: c.Samples, Values: append([]float64(nil), c.Values...)}
	for i := range c.Features {
		zeroSample.Values[i*m+5] = 0
	}
	tests := []struct {
		name string
		c    *Counts
		cd   *ColData
		o    Options
		want error
	}{
		{"covariate design", c, cd, Options{Design: "~ batch + condition"}, ErrDesign},
		{"absent level", c, cd, Options{Contrast: []string{"condition", "tumour", "control"}}, ErrContrast},
		{"absent variable", c, cd, Options{Contrast: []string{"group", "a", "b"}}, ErrContrast},
		{"one control", c, one, Options{Contrast: []string{"condition", "tumor", "control"}}, ErrTooFewReplicates},
		{"empty sample", zeroSample, cd, Options{}, ErrSizeFactors},
	}
	for _, tc := range tests {
		if _, err := EdgeR(context.Background(), tc.c, tc.cd, tc.o); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}
