package diffexp

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
)

const tolTight = 1e-10

func TestSizeFactorsHandChecked(t *testing.T) {
	// Rows: (1, 4), (2, 8), (3, 3). Geometric means 2, 4, 3; ratios of
	// sample 1: 0.5, 0.5, 1 → median 0.5; sample 2: 2, 2, 1 → 2.
	c := &Counts{Features: []string{"a", "b", "c"}, Samples: []string{"s1", "s2"},
		Values: []float64{1, 4, 2, 8, 3, 3}}
	sf, err := SizeFactors(c, "ratio")
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.5, 2}
	for j := range want {
		if math.Abs(sf[j]-want[j]) > tolTight {
			t.Errorf("ratio sf[%d] = %v, want %v", j, sf[j], want[j])
		}
	}
	// A zero in row c: ratio ignores the row; poscounts uses
	// g_c = exp(log 3 / 2) = √3 and sample 1 skips its zero.
	c.Values[4] = 0
	sf, err = SizeFactors(c, "ratio")
	if err != nil {
		t.Fatal(err)
	}
	for j := range want {
		if math.Abs(sf[j]-want[j]) > tolTight {
			t.Errorf("ratio with zero sf[%d] = %v, want %v", j, sf[j], want[j])
		}
	}
	sf, err = SizeFactors(c, "poscounts")
	if err != nil {
		t.Fatal(err)
	}
	// sample 1: ratios 0.5, 0.5 → 0.5; sample 2: 2, 2, 3/√3=√3 → 2;
	// scaled to geometric mean 1: 0.5, 2 (already).
	for j := range want {
		if math.Abs(sf[j]-want[j]) > tolTight {
			t.Errorf("poscounts sf[%d] = %v, want %v", j, sf[j], want[j])
		}
	}
}

func TestSizeFactorsAllZeroSample(t *testing.T) {
	c := &Counts{Features: []string{"a", "b"}, Samples: []string{"s1", "s2", "s3"},
		Values: []float64{1, 0, 3, 4, 0, 6}}
	_, err := SizeFactors(c, "ratio")
	if !errors.Is(err, ErrSizeFactors) || !strings.Contains(err.Error(), "poscounts") {
		t.Fatalf("ratio with all-zero sample: %v, want ErrSizeFactors suggesting poscounts", err)
	}
	_, err = SizeFactors(c, "poscounts")
	if !errors.Is(err, ErrSizeFactors) || !strings.Contains(err.Error(), "s2") {
		t.Fatalf("poscounts with all-zero sample: %v, want error naming s2", err)
	}
	if _, err := SizeFactors(c, "bogus"); !errors.Is(err, ErrSizeFactors) {
		t.Fatal("unknown type accepted")
	}
}

// TestSizeFactorsRandom checks the ratio method against a direct
// transcription of its definition on random matrices.
func TestSizeFactorsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n, m := 5+rng.IntN(50), 2+rng.IntN(8)
		c := &Counts{Features: make([]string, n), Samples: make([]string, m), Values: make([]float64, n*m)}
		for k := range c.Values {
			c.Values[k] = float64(rng.IntN(200))
		}
		c.Values[0] = 1 // keep at least one usable row likely
		sf, err := SizeFactors(c, "ratio")
		if err != nil {
			continue
		}
		for j := 0; j < m; j++ {
			var ratios []float64
			for i := 0; i < n; i++ {
				prod := 1.0
				pos := true
				for k := 0; k < m; k++ {
					prod *= c.At(i, k)
					pos = pos && c.At(i, k) > 0
				}
				if pos {
					ratios = append(ratios, c.At(i, j)/math.Pow(prod, 1/float64(m)))
				}
			}
			sort.Float64s(ratios)
			var med float64
			if l := len(ratios); l%2 == 1 {
				med = ratios[l/2]
			} else {
				// DESeq2 takes the median on the log scale: the geometric
				// mean of the two middle ratios
				med = math.Sqrt(ratios[l/2-1] * ratios[l/2])
			}
			if math.Abs(sf[j]-med)/med > 1e-9 {
				t.Fatalf("trial %d sample %d: %v, reference %v", trial, j, sf[j], med)
			}
		}
	}
}

func TestMedianSelect(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := 0; trial < 500; trial++ {
		n := 1 + rng.IntN(30)
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(8)) // many ties
		}
		want := median(append([]float64(nil), x...))
		if got := medianSelect(x); got != want {
			t.Fatalf("medianSelect = %v, sort-based median %v", got, want)
		}
	}
}

// TestCholesky checks the small solvers against gonum/mat on random SPD
// matrices.
func TestCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for p := 1; p <= 6; p++ {
		a := make([]float64, p*p)
		b := make([]float64, p*p)
		for k := range b {
			b[k] = rng.NormFloat64()
		}
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				s := 0.0
				for k := 0; k < p; k++ {
					s += b[i*p+k] * b[j*p+k]
				}
				a[i*p+j] = s
			}
			a[i*p+i] += 0.5
		}
		rhs := make([]float64, p)
		for k := range rhs {
			rhs[k] = rng.NormFloat64()
		}
		A := mat.NewDense(p, p, append([]float64(nil), a...))
		var want mat.VecDense
		if err := want.SolveVec(A, mat.NewVecDense(p, append([]float64(nil), rhs...))); err != nil {
			t.Fatal(err)
		}
		got := append([]float64(nil), rhs...)
		l := make([]float64, p*p)
		if !cholSolve(a, p, got, l) {
			t.Fatalf("p=%d: not positive definite", p)
		}
		for k := range got {
			if math.Abs(got[k]-want.AtVec(k)) > 1e-9*(1+math.Abs(want.AtVec(k))) {
				t.Errorf("p=%d solve[%d] %v, want %v", p, k, got[k], want.AtVec(k))
			}
		}
		inv := make([]float64, p*p)
		cholInverse(a, p, inv, l)
		var winv mat.Dense
		if err := winv.Inverse(A); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				if math.Abs(inv[i*p+j]-winv.At(i, j)) > 1e-8*(1+math.Abs(winv.At(i, j))) {
					t.Errorf("p=%d inv[%d,%d] %v, want %v", p, i, j, inv[i*p+j], winv.At(i, j))
				}
			}
		}
		if ld := logDetCholesky(a, p, l); math.Abs(ld-math.Log(mat.Det(A))) > 1e-9 {
			t.Errorf("p=%d logdet %v, want %v", p, ld, math.Log(mat.Det(A)))
		}
	}
}

// TestGLMTwoGroups: for ~ condition the NB MLE of each group mean solves
// Σ_j (y_j − s_j q)/(1 + α s_j q) = 0 in the group; check IRLS against a
// bisection on that score equation (the ridge 1e-6 is negligible here).
func TestGLMTwoGroups(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	m := 8
	x := make([]float64, m*2)
	for j := 0; j < m; j++ {
		x[j*2] = 1
		if j >= m/2 {
			x[j*2+1] = 1
		}
	}
	for trial := 0; trial < 30; trial++ {
		sf := make([]float64, m)
		y := make([]float64, m)
		for j := range sf {
			sf[j] = 0.5 + rng.Float64()
			y[j] = float64(20 + rng.IntN(500))
		}
		alpha := 0.01 + rng.Float64()*0.5
		g := newGLMModel(x, m, 2, sf)
		ws := newGLMWork(m, 2)
		if !g.fit(ws, y, alpha) {
			t.Fatalf("trial %d: no convergence", trial)
		}
		groupQ := func(lo, hi int) float64 {
			score := func(q float64) float64 {
				s := 0.0
				for j := lo; j < hi; j++ {
					mu := sf[j] * q
					s += (y[j] - mu) / (1 + alpha*mu)
				}
				return s
			}
			a, b := 1e-3, 1e5
			for it := 0; it < 200; it++ {
				c := (a + b) / 2
				if score(c) > 0 {
					a = c
				} else {
					b = c
				}
			}
			return (a + b) / 2
		}
		q0, q1 := groupQ(0, m/2), groupQ(m/2, m)
		// IRLS stops on a relative deviance change of 1e-8, which leaves
		// the coefficients accurate to about 1e-6.
		const tolBeta = 1e-5
		if d := math.Abs(ws.beta[0] - math.Log(q0)); d > tolBeta {
			t.Errorf("trial %d: intercept %v, reference %v", trial, ws.beta[0], math.Log(q0))
		}
		if d := math.Abs(ws.beta[1] - math.Log(q1/q0)); d > tolBeta {
			t.Errorf("trial %d: effect %v, reference %v", trial, ws.beta[1], math.Log(q1/q0))
		}
		// the hat values of a full-rank fit sum to p
		h := 0.0
		for j := 0; j < m; j++ {
			h += ws.hat[j]
		}
		if math.Abs(h-2) > 1e-6 {
			t.Errorf("trial %d: trace of hat %v, want 2", trial, h)
		}
	}
}

// TestFitOptimFallback: the Fisher-scoring fallback reaches the same
// optimum as IRLS on an ordinary row.
func TestFitOptimFallback(t *testing.T) {
	m := 6
	x := []float64{1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1}
	sf := []float64{1, 0.8, 1.2, 1, 0.9, 1.1}
	y := []float64{10, 14, 9, 40, 33, 51}
	g := newGLMModel(x, m, 2, sf)
	ws := newGLMWork(m, 2)
	g.fit(ws, y, 0.1)
	want := append([]float64(nil), ws.beta[:2]...)
	ws.beta[0], ws.beta[1] = math.NaN(), 0
	g.fitOptim(ws, y, 0.1)
	for k := range want {
		if math.Abs(ws.beta[k]-want[k]) > 1e-6 {
			t.Errorf("beta[%d] %v, IRLS %v", k, ws.beta[k], want[k])
		}
	}
}

// TestDispersionDerivative compares dLogPost with central differences of
// logPost on random rows, with and without the prior.
func TestDispersionDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range []int{1, 2, 3} {
		m := 9
		x := make([]float64, m*p)
		for j := 0; j < m; j++ {
			x[j*p] = 1
			for a := 1; a < p; a++ {
				if (j+a)%3 == 0 {
					x[j*p+a] = 1
				}
			}
		}
		sf := make([]float64, m)
		for j := range sf {
			sf[j] = 0.7 + 0.6*rng.Float64()
		}
		d := newDispModel(newGLMModel(x, m, p, sf))
		ws := newDispWork(m, p)
		for trial := 0; trial < 20; trial++ {
			y := make([]float64, m)
			mu := make([]float64, m)
			for j := range y {
				y[j] = float64(rng.IntN(60))
				mu[j] = 1 + 50*rng.Float64()
			}
			la := -6 + 7*rng.Float64()
			for _, pv := range []float64{0, 0.5} {
				const h = 1e-5
				num := (d.logPost(y, mu, la+h, -1, pv, ws) - d.logPost(y, mu, la-h, -1, pv, ws)) / (2 * h)
				ana := d.dLogPost(y, mu, la, -1, pv, ws) // no cached logs
				if math.Abs(num-ana) > 1e-5*(1+math.Abs(num)) {
					t.Errorf("p=%d trial %d prior %v: derivative %v, numeric %v", p, trial, pv, ana, num)
				}
				d.logPost(y, mu, la, -1, pv, ws)
				if c := d.dLogPost(y, mu, la, -1, pv, ws); math.Abs(c-ana) > 1e-12*(1+math.Abs(ana)) {
					t.Errorf("p=%d trial %d: derivative with cached logs %v, without %v", p, trial, c, ana)
				}
			}
		}
	}
}

func TestDigammaDiff(t *testing.T) {
	for _, y := range []float64{1, 2, 5, 12, 13, 100} {
		for _, r := range []float64{1e-3, 0.5, 3, 1e4} {
			want := 0.0 // ψ(y+r) − ψ(r) = Σ_{k<y} 1/(r+k)
			for k := 0.0; k < y; k++ {
				want += 1 / (r + k)
			}
			if got := digammaDiff(y, r, mathext.Digamma(r)); math.Abs(got-want) > 1e-10*(1+math.Abs(want)) {
				t.Errorf("digammaDiff(%v, %v) = %v, want %v", y, r, got, want)
			}
		}
	}
}

func TestLgammaLargeLog1p(t *testing.T) {
	for _, x := range []float64{12, 13.5, 100, 1e4, 1e8} {
		want, _ := math.Lgamma(x)
		if got := lgammaLarge(x); math.Abs(got-want) > 1e-13*math.Abs(want)+1e-13 {
			t.Errorf("lgammaLarge(%v) = %v, math.Lgamma %v", x, got, want)
		}
	}
	for _, x := range []float64{12, 13.5, 100, 1e4, 1e8} {
		want := mathext.Digamma(x)
		if got := digammaLargeLog(x, math.Log(x)); math.Abs(got-want) > 1e-13*math.Abs(want) {
			t.Errorf("digammaLargeLog(%v) = %v, gonum %v", x, got, want)
		}
	}
	for _, x := range []float64{0, 1e-12, 1e-4, 1e-3, 0.0011, 0.5, 20, 1e6} {
		want := math.Log1p(x)
		if got := log1pFast(x); math.Abs(got-want) > 1e-13*math.Abs(want) {
			t.Errorf("log1pFast(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestLgammaDiff(t *testing.T) {
	for _, y := range []float64{1, 2, 5, 12, 13, 100, 5000} {
		for _, r := range []float64{1e-3, 0.5, 3, 1e4, 1e8} {
			lgr, _ := math.Lgamma(r)
			want := 0.0 // Σ_{k<y} log(r+k)
			for k := 0.0; k < y; k++ {
				want += math.Log(r + k)
			}
			// math.Lgamma loses ~1e-7 absolute at r = 1e8 (cancellation)
			if got := lgammaDiff(y, r, lgr); math.Abs(got-want) > 1e-9*(1+math.Abs(want))+1e-6 {
				t.Errorf("lgammaDiff(%v, %v) = %v, want %v", y, r, got, want)
			}
		}
	}
}

// TestParametricTrend: noise-free dispersions on the curve a0 + a1/μ are
// recovered exactly.
func TestParametricTrend(t *testing.T) {
	var means, disps []float64
	for k := 0; k < 200; k++ {
		mu := math.Exp(float64(k) / 20)
		means = append(means, mu)
		disps = append(disps, 0.07+2.5/mu)
	}
	a0, a1, err := fitParametricTrend(means, disps)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a0-0.07) > 1e-6 || math.Abs(a1-2.5) > 1e-5 {
		t.Errorf("trend %v + %v/μ, want 0.07 + 2.5/μ", a0, a1)
	}
	// negative slope data: the fit fails and the local fit takes over
	means, disps = means[:0], disps[:0]
	for k := 0; k < 100; k++ {
		mu := float64(k + 1)
		means = append(means, mu)
		disps = append(disps, 0.01*mu)
	}
	if _, _, err := fitParametricTrend(means, disps); err == nil {
		t.Error("increasing dispersions fitted parametrically")
	}
	tr, err := fitLocalTrend(means, disps)
	if err != nil {
		t.Fatal(err)
	}
	// the local quadratic in log-log reproduces an exact power law
	for _, mu := range []float64{2, 10, 50} {
		if got := tr.at(mu); math.Abs(got-0.01*mu)/(0.01*mu) > 1e-3 {
			t.Errorf("local trend at %v: %v, want %v", mu, got, 0.01*mu)
		}
	}
}

func TestAdjustBH(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.IntN(40)
		p := make([]float64, n)
		for i := range p {
			p[i] = rng.Float64()
			if rng.IntN(5) == 0 {
				p[i] = math.NaN()
			}
			if rng.IntN(7) == 0 && i > 0 {
				p[i] = p[i-1] // ties
			}
		}
		got := AdjustBH(p)
		// reference: padj_i = min over j with p_j ≥ p_i of n p_j / rank_j
		var valid []float64
		for _, v := range p {
			if !math.IsNaN(v) {
				valid = append(valid, v)
			}
		}
		nv := float64(len(valid))
		for i, v := range p {
			if math.IsNaN(v) {
				if !math.IsNaN(got[i]) {
					t.Fatalf("NaN input gave %v", got[i])
				}
				continue
			}
			best := math.Inf(1)
			for _, w := range valid {
				if w >= v {
					rank := 0.0
					for _, u := range valid {
						if u <= w {
							rank++
						}
					}
					best = math.Min(best, nv*w/rank)
				}
			}
			best = math.Min(best, 1)
			if math.Abs(got[i]-best) > 1e-12 {
				t.Fatalf("trial %d: padj %v, reference %v", trial, got[i], best)
			}
		}
	}
}

func TestQuantileTrimmedMean(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	// R: quantile(1:10, c(0, .33, .5, .95, 1)) = 1, 3.97, 5.5, 9.55, 10
	for _, tc := range []struct{ p, want float64 }{{0, 1}, {0.33, 3.97}, {0.5, 5.5}, {0.95, 9.55}, {1, 10}} {
		if got := quantileR7(x, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile %v = %v, want %v", tc.p, got, tc.want)
		}
	}
	buf := make([]float64, 10)
	// R: mean(c(1,2,3,4,100), trim = 0.2) = 3; mean(1:10, trim = 1/8) = 5.5
	if got := trimmedMean([]float64{100, 2, 3, 1, 4}, 0.2, buf); got != 3 {
		t.Errorf("trimmed mean %v, want 3", got)
	}
	if got := trimmedMean([]float64{1, 2, 3, 40}, 0.5, buf); got != 2.5 {
		t.Errorf("trim 0.5 gives %v, want the median 2.5", got)
	}
}

func TestLowess(t *testing.T) {
	// exact straight line: every local linear fit reproduces it
	n := 30
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = float64(i) / 3
		y[i] = 2 - 0.5*x[i]
	}
	for _, f := range []float64{0.2, 2.0 / 3} {
		// no robustness iterations: on exact data the residuals are pure
		// rounding noise and would drive the robustness weights (as in R)
		ys := lowess(x, y, f, 0, 0.01*(x[n-1]-x[0]))
		for i := range ys {
			if math.Abs(ys[i]-y[i]) > 1e-9 {
				t.Fatalf("f=%v: lowess[%d] %v, want %v", f, i, ys[i], y[i])
			}
		}
	}
	// Reference: R 4.2.2, set.seed(1); x <- sort(runif(50));
	// y <- round(100*sin(3*x) + rnorm(50, 0, 10));
	// lowess(x, y, f = 1/5, iter = 3, delta = 0.01*diff(range(x)))$y
	rx := []float64{0.013390333158895373, 0.023331202333793044, 0.061786270467564464, 0.10794362588785589, 0.12555509596131742, 0.17655675252899528, 0.1862176014110446, 0.2016819310374558, 0.20597457489930093, 0.21214252128265798, 0.26550866314209998, 0.26722066872753203, 0.34034899668768048, 0.37212389963679016, 0.38003517943434417, 0.38238795707002282, 0.38410371821373701, 0.3861140925437212, 0.41127442964352667, 0.47723006503656507, 0.48208011547103524, 0.49354130704887211, 0.49769924208521843, 0.52971958019770682, 0.55303631164133549, 0.57285336335189641, 0.59956582542508841, 0.62911404389888048, 0.64706019381992519, 0.65167376608587801, 0.66079779248684645, 0.66846673819236457, 0.68702284665778279, 0.69273155648261309, 0.71761850826442242, 0.72371094604022801, 0.73231373867020011, 0.76984141999855638, 0.77744522131979465, 0.78293276228941977, 0.78935623168945312, 0.79423986072652042, 0.82094629411585629, 0.8273733186069876, 0.86969084572046995, 0.89838968496769667, 0.90820778999477625, 0.93470523110590875, 0.94467526860535145, 0.9919060948304832}
	ry := []float64{3, 5, 4, 27, 41, 64, 52, 61, 57, 46, 67, 68, 85, 101, 98, 90, 89, 99, 100, 92, 92, 103, 107, 99, 108, 103, 91, 98, 82, 107, 111, 87, 78, 93, 82, 107, 81, 81, 73, 64, 72, 51, 77, 63, 72, 48, 33, 39, 21, 4}
	want := []float64{-0.21250168291527474, 2.7930545534962721, 14.855365398894834, 28.852380555782339, 34.679963281141994, 50.748656267258134, 52.705924320449235, 55.773433107368454, 56.733389650568519, 58.041662895751678, 67.674344314921257, 68.018091737352051, 85.452781152371543, 93.178934488619973, 94.498819476690358, 94.814166034647542, 95.044132251064298, 95.313585945094829, 96.347031981020095, 97.897997355849824, 98.101780952096277, 98.912956398108321, 99.247808535964836, 100.38803106737532, 100.9609001851596, 100.12495749899924, 98.57019263417132, 95.085157355284082, 93.961588141734936, 93.740712893259513, 92.970854435340215, 91.717902635059787, 89.018603933351898, 88.252959244567734, 84.911956598060669, 84.312741906515299, 82.94215068339166, 74.321015135489944, 72.296742803260102, 71.50405959474304, 70.767939381410244, 70.189555476338043, 68.752516556420517, 68.617222165698877, 56.409446544615037, 45.673432537545537, 41.53454999655122, 29.93223888240081, 25.508854518599758, 4.2952786592613137}
	got := lowess(rx, ry, 1.0/5, 3, 0.01*(rx[len(rx)-1]-rx[0]))
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
			t.Errorf("lowess[%d] = %v, R gives %v", i, got[i], want[i])
		}
	}
}

func TestCooksAndRobustDisp(t *testing.T) {
	// Hand check: D = r²/(μ+αμ²)/p · h/(1−h)².
	out := make([]float64, 1)
	cooksDistances(out, []float64{30}, []float64{10}, []float64{0.5}, 0.1, 2)
	want := 400.0 / 20 / 2 * 0.5 / 0.25
	if math.Abs(out[0]-want) > 1e-12 {
		t.Errorf("Cook's %v, want %v", out[0], want)
	}
	// constant counts: variance 0 → dispersion floored at 0.04
	cl := cells{id: []int{0, 0, 0, 1, 1, 1}, size: []int{3, 3}}
	buf, buf2 := make([]float64, 6), make([]float64, 6)
	if a := robustDisp([]float64{5, 5, 5, 5, 5, 5}, cl, buf, buf2); a != 0.04 {
		t.Errorf("robust dispersion of constant row %v, want 0.04", a)
	}
	// cells of 3: trimmed mean with trim 1/3 of three values is the middle
	// one; cell 1 {1,2,9}: mean 2, squared errors {1,0,49} → 2.04·1;
	// cell 2 {10,10,10}: 0. Row mean 7 → α = (2.04 − 7)/49 < 0.04.
	if a := robustDisp([]float64{1, 2, 9, 10, 10, 10}, cl, buf, buf2); a != 0.04 {
		t.Errorf("robust dispersion %v, want floor 0.04", a)
	}
	norm := []float64{100, 300, 500, 1000, 1000, 1000}
	// cell 1: middle 300, squared errors {40000, 0, 40000} → middle 40000·2.04
	wantA := (2.04*40000 - 650.0) / (650 * 650)
	if a := robustDisp(norm, cl, buf, buf2); math.Abs(a-wantA) > 1e-12 {
		t.Errorf("robust dispersion %v, want %v", a, wantA)
	}
}

// TestFastLog compares fastLog with math.Log over the whole float64 range.
func TestFastLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	check := func(x float64) {
		want := math.Log(x)
		got := fastLog(x)
		if math.IsNaN(want) || math.IsInf(want, 0) {
			if !(math.IsNaN(got) && math.IsNaN(want)) && got != want {
				t.Fatalf("fastLog(%v) = %v, want %v", x, got, want)
			}
			return
		}
		if math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Fatalf("fastLog(%v) = %v, math.Log %v (diff %g)", x, got, want, got-want)
		}
	}
	for _, x := range []float64{1, 2, 0.5, math.E, 1 + 1e-15, 1 - 1e-16, 1.0078125, 1.99999999, 1e-300, 5e-324, 0, -1, math.Inf(1), math.NaN(), math.MaxFloat64} {
		check(x)
	}
	for k := 0; k < 200000; k++ {
		check(math.Exp(rng.NormFloat64() * 30))
		check(1 + rng.Float64()*0.01)
		check(float64(1 + rng.IntN(100000)))
	}
}

func BenchmarkFastLog(b *testing.B) {
	x, s := 1.5, 0.0
	for b.Loop() {
		s += fastLog(x)
		x += 0.37
	}
	sinkFloat = s
}

func BenchmarkMathLog(b *testing.B) {
	x, s := 1.5, 0.0
	for b.Loop() {
		s += math.Log(x)
		x += 0.37
	}
	sinkFloat = s
}

var sinkFloat float64

// TestDispersionDerivs checks derivs against logPost, dLogPost and central
// differences of dLogPost on random rows, with and without the prior, and
// that newton finds a stationary point no worse than the line search.
func TestDispersionDerivs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	// p = 1..3 are cell designs (derivs' per-cell path); p = 4 is
	// reduced to 2 columns with a continuous covariate (general path)
	for _, pc := range []int{1, 2, 3, 4} {
		p := pc
		m := 9
		if pc == 4 {
			p = 2
		}
		x := make([]float64, m*p)
		for j := 0; j < m; j++ {
			x[j*p] = 1
			for a := 1; a < p; a++ {
				if pc == 4 {
					x[j*p+a] = float64(j*j) / 20
				} else if (j+a)%3 == 0 {
					x[j*p+a] = 1
				}
			}
		}
		sf := make([]float64, m)
		for j := range sf {
			sf[j] = 0.7 + 0.6*rng.Float64()
		}
		d := newDispModel(newGLMModel(x, m, p, sf))
		if (d.glm.cell != nil) != (pc < 4) {
			t.Fatalf("design %d: cell design detection %v", pc, d.glm.cell != nil)
		}
		ws := newDispWork(m, p)
		for trial := 0; trial < 30; trial++ {
			y := make([]float64, m)
			mu := make([]float64, m)
			for j := range y {
				y[j] = float64(rng.IntN(60))
				mu[j] = 1 + 50*rng.Float64()
			}
			la := -8 + 9*rng.Float64()
			for _, pv := range []float64{0, 0.5} {
				lp, g, h := d.derivs(y, mu, la, -1, pv, true, ws)
				if want := d.logPost(y, mu, la, -1, pv, ws); math.Abs(lp-want) > 1e-10*(1+math.Abs(want)) {
					t.Errorf("p=%d trial %d prior %v: value %v, logPost %v", p, trial, pv, lp, want)
				}
				if want := d.dLogPost(y, mu, la, -1, pv, ws); math.Abs(g-want) > 1e-9*(1+math.Abs(want)) {
					t.Errorf("p=%d trial %d prior %v: gradient %v, dLogPost %v", p, trial, pv, g, want)
				}
				const e = 1e-5
				num := (d.dLogPost(y, mu, la+e, -1, pv, ws) - d.dLogPost(y, mu, la-e, -1, pv, ws)) / (2 * e)
				if math.Abs(h-num) > 1e-5*(1+math.Abs(num)) {
					t.Errorf("p=%d trial %d prior %v: second derivative %v, numeric %v", p, trial, pv, h, num)
				}
				if _, gNoV, hNoV := d.derivs(y, mu, la, -1, pv, false, ws); gNoV != g || hNoV != h {
					t.Errorf("p=%d trial %d: derivatives depend on wantValue", p, trial)
				}
				a, iter, _, lpN := d.newton(y, mu, la, -1, pv, ws)
				if iter > nwMaxIter {
					t.Errorf("p=%d trial %d prior %v: newton did not converge", p, trial, pv)
					continue
				}
				if lpA := d.logPost(y, mu, a, -1, pv, ws); math.Abs(lpA-lpN) > 1e-9*(1+math.Abs(lpA)) {
					t.Errorf("p=%d trial %d prior %v: newton's log posterior %v, at its optimum %v", p, trial, pv, lpN, lpA)
				}
				_, lpL := func() (float64, float64) { a, _, _, lp := d.lineSearch(y, mu, la, -1, pv, ws); return a, lp }()
				if lpN < lpL-1e-9*(1+math.Abs(lpL)) {
					t.Errorf("p=%d trial %d prior %v: newton log posterior %v below line search %v", p, trial, pv, lpN, lpL)
				}
				lower, upper := math.Log(minDisp/10), math.Log(d.maxDisp)
				if _, ga, _ := d.derivs(y, mu, a, -1, pv, false, ws); a > lower && a < upper && math.Abs(ga) > 1e-5*(1+math.Abs(lpN)) {
					t.Errorf("p=%d trial %d prior %v: derivative %v at newton's optimum %v", p, trial, pv, ga, a)
				}
			}
		}
	}
}

func TestPolygammaFast(t *testing.T) {
	for _, x := range []float64{1e-4, 0.3, 1, 5.5, 11.9, 12, 40, 1e6} {
		// (gonum's Digamma is good to about 1e-10)
		if got, want := digammaFast(x), mathext.Digamma(x); math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("digammaFast(%v) = %v, gonum %v", x, got, want)
		}
		if got, want := trigammaFast(x), mathext.Zeta(2, x); math.Abs(got-want) > 1e-13*math.Abs(want) {
			t.Errorf("trigammaFast(%v) = %v, ζ(2,x) %v", x, got, want)
		}
	}
	for _, x := range []float64{1e-4, 0.3, 1, 5.5, 11.9, 12, 40, 1e6} {
		p, p1, lg := polygammaR(x)
		wantLg, _ := math.Lgamma(x)
		if p != digammaFast(x) && math.Abs(p-digammaFast(x)) > 1e-13*(1+math.Abs(p)) ||
			math.Abs(p1-trigammaFast(x)) > 1e-13*p1 || math.Abs(lg-wantLg) > 1e-13*(1+math.Abs(wantLg)) {
			t.Errorf("polygammaR(%v) = %v %v %v, want %v %v %v", x, p, p1, lg, digammaFast(x), trigammaFast(x), wantLg)
		}
	}
	// exact values: ψ(1) = −γ, ψ(½) = −γ − 2 log 2, ψ₁(1) = π²/6, ψ₁(½) = π²/2
	const euler = 0.57721566490153286061
	for _, c := range []struct{ got, want float64 }{
		{digammaFast(1), -euler}, {digammaFast(0.5), -euler - 2*math.Ln2},
		{trigammaFast(1), math.Pi * math.Pi / 6}, {trigammaFast(0.5), math.Pi * math.Pi / 2},
	} {
		if math.Abs(c.got-c.want) > 1e-14 {
			t.Errorf("polygamma %v, want %v", c.got, c.want)
		}
	}
}

// TestFitCellsMatchesIRLS compares the cell-by-cell fit of a group design
// with IRLS on the same rows (2 and 3 groups, with a batch-like cell
// design), including the covariance used by the Wald test.
func TestFitCellsMatchesIRLS(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	designs := []struct {
		p    int
		rows [][]float64
	}{
		{2, [][]float64{{1, 0}, {1, 1}}},
		{3, [][]float64{{1, 0, 0}, {1, 1, 0}, {1, 0, 1}}},
		{3, [][]float64{{1, 0, 0}, {1, 1, 0}, {1, 1, 1}}},
	}
	for di, dz := range designs {
		m := 12
		p := dz.p
		x := make([]float64, m*p)
		for j := 0; j < m; j++ {
			copy(x[j*p:], dz.rows[j%p])
		}
		sf := make([]float64, m)
		for j := range sf {
			sf[j] = 0.5 + rng.Float64()
		}
		cellsFit := newGLMModel(x, m, p, sf)
		if cellsFit.cell == nil {
			t.Fatalf("design %d: not recognised as a cell design", di)
		}
		irls := newGLMModel(x, m, p, sf)
		irls.cell, irls.cellInv = nil, nil
		w1, w2 := newGLMWork(m, p), newGLMWork(m, p)
		for trial := 0; trial < 50; trial++ {
			y := make([]float64, m)
			base := math.Exp(1 + 6*rng.Float64())
			for j := range y {
				y[j] = math.Round(base * sf[j] * (0.5 + rng.Float64()) * float64(1+j%p))
			}
			alpha := math.Exp(-6 + 6*rng.Float64())
			c1 := cellsFit.fit(w1, y, alpha)
			c2 := irls.fit(w2, y, alpha)
			if c1 != c2 {
				t.Errorf("design %d trial %d: converged %v vs IRLS %v", di, trial, c1, c2)
			}
			for a := 0; a < p; a++ {
				if d := math.Abs(w1.beta[a] - w2.beta[a]); d > 1e-5*(1+math.Abs(w2.beta[a])) {
					t.Errorf("design %d trial %d: beta[%d] %v, IRLS %v", di, trial, a, w1.beta[a], w2.beta[a])
				}
			}
			for k := 0; k < p*p; k++ {
				if d := math.Abs(w1.cov[k] - w2.cov[k]); d > 1e-5*math.Abs(w2.cov[k])+1e-12 {
					t.Errorf("design %d trial %d: cov[%d] %v, IRLS %v", di, trial, k, w1.cov[k], w2.cov[k])
				}
			}
			for j := 0; j < m; j++ {
				if d := math.Abs(w1.hat[j] - w2.hat[j]); d > 1e-5*math.Abs(w2.hat[j])+1e-12 {
					t.Errorf("design %d trial %d: hat[%d] %v, IRLS %v", di, trial, j, w1.hat[j], w2.hat[j])
				}
				if d := math.Abs(w1.muRaw[j] - w2.muRaw[j]); d > 1e-5*w2.muRaw[j] {
					t.Errorf("design %d trial %d: μ[%d] %v, IRLS %v", di, trial, j, w1.muRaw[j], w2.muRaw[j])
				}
			}
		}
	}
}

// TestTrimmedMeanSelect compares trimmedMean with a sort-based reference.
func TestTrimmedMeanSelect(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(60)
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(8)) // many ties
			if trial%2 == 0 {
				x[i] = rng.Float64()
			}
		}
		for _, trim := range []float64{0, 1.0 / 8, 0.2, 0.25, 1.0 / 3, 0.5} {
			s := append([]float64(nil), x...)
			sort.Float64s(s)
			var want float64
			if trim >= 0.5 {
				want = median(s)
			} else {
				lo := int(math.Floor(float64(n) * trim))
				for _, v := range s[lo : n-lo] {
					want += v
				}
				want /= float64(n - 2*lo)
			}
			orig := append([]float64(nil), x...)
			got := trimmedMean(x, trim, make([]float64, n))
			if math.Abs(got-want) > 1e-13*(1+math.Abs(want)) {
				t.Fatalf("n=%d trim %v: %v, want %v", n, trim, got, want)
			}
			for i := range x {
				if x[i] != orig[i] {
					t.Fatalf("trimmedMean modified its input")
				}
			}
		}
	}
}

// TestMedianWindow compares medianWindow with the sorted median on random
// inputs: continuous, heavy ties, skewed and adversarial (sorted) orders.
func TestMedianWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for trial := 0; trial < 400; trial++ {
		n := 1 + rng.IntN(5000)
		x := make([]float64, n)
		for i := range x {
			switch trial % 4 {
			case 0:
				x[i] = rng.NormFloat64()
			case 1:
				x[i] = float64(rng.IntN(5))
			case 2:
				x[i] = math.Exp(3 * rng.NormFloat64())
			default:
				x[i] = float64(i)
			}
		}
		s := append([]float64(nil), x...)
		want := median(s)
		got := medianWindow(x, make([]float64, n))
		if got != want {
			t.Fatalf("trial %d n=%d: medianWindow %v, median %v", trial, n, got, want)
		}
	}
}

// TestTrimmedVar compares trimmedVar with the definition: trimmed mean of
// the squared deviations from the trimmed mean, both by sorting.
func TestTrimmedVar(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	ref := func(x []float64, trim float64) float64 {
		tm := func(v []float64) float64 {
			s := append([]float64(nil), v...)
			sort.Float64s(s)
			lo := int(math.Floor(float64(len(s)) * trim))
			sum := 0.0
			for _, u := range s[lo : len(s)-lo] {
				sum += u
			}
			return sum / float64(len(s)-2*lo)
		}
		cm := tm(x)
		sq := make([]float64, len(x))
		for i, v := range x {
			sq[i] = (v - cm) * (v - cm)
		}
		return tm(sq)
	}
	for trial := 0; trial < 500; trial++ {
		n := 1 + rng.IntN(150)
		x := make([]float64, n)
		for i := range x {
			switch trial % 3 {
			case 0:
				x[i] = rng.Float64() * 100
			case 1:
				x[i] = float64(rng.IntN(4)) // ties
			default:
				x[i] = math.Exp(4 * rng.NormFloat64()) // outliers
			}
		}
		for _, trim := range []float64{0, 1.0 / 8, 1.0 / 4, 1.0 / 3} {
			want := ref(x, trim)
			got := trimmedVar(append([]float64(nil), x...), trim, make([]float64, n))
			if math.Abs(got-want) > 1e-12*math.Abs(want) {
				t.Fatalf("n=%d trim %v: %v, want %v", n, trim, got, want)
			}
		}
	}
}

func TestIsCount(t *testing.T) {
	for _, c := range []struct {
		v  float64
		ok bool
	}{{0, true}, {1, true}, {12345, true}, {1 << 53, true}, {1<<53 + 2, false}, {1 << 62, false}, {1e300, false},
		{0.5, false}, {-1, false}, {math.Copysign(0, -1), true}, {math.Inf(1), false}, {math.NaN(), false}, {4.0000000001, false}} {
		if got := isCount(c.v); got != c.ok {
			t.Errorf("isCount(%v) = %v", c.v, got)
		}
	}
}
