package diffexp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// simulate draws a negative-binomial count matrix (gamma–Poisson) with
// nPer samples per condition; feature 0 is 4× up in tumor.
func simulate(seed uint64, n, nPer int) (*Counts, *ColData) {
	rng := rand.New(rand.NewPCG(seed, 99))
	m := 2 * nPer
	c := &Counts{Features: make([]string, n), Samples: make([]string, m), Values: make([]float64, n*m)}
	cd := &ColData{Names: []string{"condition"}, Columns: [][]string{make([]string, m)}}
	sf := make([]float64, m)
	for j := 0; j < m; j++ {
		c.Samples[j] = fmt.Sprintf("s%02d", j)
		cond := "control"
		if j >= nPer {
			cond = "tumor"
		}
		cd.Columns[0][j] = cond
		sf[j] = 0.6 + 0.9*rng.Float64()
	}
	cd.Samples = append([]string(nil), c.Samples...)
	for i := 0; i < n; i++ {
		c.Features[i] = fmt.Sprintf("f%03d", i)
		mu := math.Exp(math.Log(200) + 1.2*rng.NormFloat64())
		alpha := 0.05 + 1/mu
		for j := 0; j < m; j++ {
			mj := mu * sf[j]
			if i == 0 && j >= nPer {
				mj *= 4
			}
			// gamma(shape 1/α, scale αμ) then Poisson
			lam := gammaRand(rng, 1/alpha) * alpha * mj
			c.Values[i*m+j] = poissonRand(rng, lam)
		}
	}
	return c, cd
}

func TestDESeqZeroRow(t *testing.T) {
	c, cd := simulate(1, 200, 4)
	m := len(c.Samples)
	for j := 0; j < m; j++ {
		c.Values[5*m+j] = 0
	}
	r, err := DESeq(context.Background(), c, cd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.BaseMean[5] != 0 {
		t.Errorf("all-zero row baseMean %v, want 0", r.BaseMean[5])
	}
	for name, col := range map[string][]float64{"log2FoldChange": r.Log2FoldChange, "lfcSE": r.LfcSE,
		"stat": r.Stat, "pvalue": r.PValue, "padj": r.PAdj, "dispersion": r.Dispersion} {
		if !math.IsNaN(col[5]) {
			t.Errorf("all-zero row %s = %v, want NA", name, col[5])
		}
		if math.IsNaN(col[6]) && name != "padj" {
			t.Errorf("ordinary row %s is NA", name)
		}
	}
	if !(r.PAdj[0] < 0.05 && r.Log2FoldChange[0] > 1) {
		t.Errorf("planted 4× feature: lfc %v padj %v", r.Log2FoldChange[0], r.PAdj[0])
	}
}

func TestDESeqAllZeroSample(t *testing.T) {
	c, cd := simulate(2, 100, 3)
	m := len(c.Samples)
	for i := range c.Features {
		c.Values[i*m+2] = 0
	}
	_, err := DESeq(context.Background(), c, cd, Options{})
	if !errors.Is(err, ErrSizeFactors) || !strings.Contains(err.Error(), "poscounts") {
		t.Fatalf("error %v, want ErrSizeFactors suggesting poscounts", err)
	}
}

// TestDESeqOutlier plants one huge count: with 3 replicates per group the
// row's p-value is set to NA by Cook's distance; with 7 the count is
// replaced and the row refitted.
func TestDESeqOutlier(t *testing.T) {
	for _, tc := range []struct {
		nPer     int
		replaced bool
	}{{3, false}, {7, true}} {
		c, cd := simulate(3, 300, tc.nPer)
		m := len(c.Samples)
		const row = 10
		c.Values[row*m+1] = c.Values[row*m+1]*50 + 5000
		r, err := DESeq(context.Background(), c, cd, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Replaced[row] != tc.replaced {
			t.Errorf("nPer %d: replaced %v, want %v", tc.nPer, r.Replaced[row], tc.replaced)
		}
		if tc.replaced {
			if math.IsNaN(r.PValue[row]) || math.Abs(r.Log2FoldChange[row]) > 1 {
				t.Errorf("nPer %d: refitted row p %v lfc %v", tc.nPer, r.PValue[row], r.Log2FoldChange[row])
			}
			continue
		}
		cut := fQuantile99(2, m)
		if !(r.MaxCooks[row] > cut) || !math.IsNaN(r.PValue[row]) {
			t.Errorf("nPer %d: maxCooks %v (cutoff %v), p %v: want flagged NA", tc.nPer, r.MaxCooks[row], cut, r.PValue[row])
		}
		off := -1.0
		r2, err := DESeq(context.Background(), c, cd, Options{CooksCutoff: &off})
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(r2.PValue[row]) {
			t.Errorf("Cook's cutoff off: p-value still NA")
		}
	}
}

func sameFloats(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

func TestDESeqDeterministic(t *testing.T) {
	c, cd := simulate(4, 400, 4)
	for _, test := range []string{"wald", "lrt"} {
		r1, err := DESeq(context.Background(), c, cd, Options{Workers: 1, Test: Test(test)})
		if err != nil {
			t.Fatal(err)
		}
		r3, err := DESeq(context.Background(), c, cd, Options{Workers: 3, Test: Test(test)})
		if err != nil {
			t.Fatal(err)
		}
		for k, pair := range [][2][]float64{{r1.BaseMean, r3.BaseMean}, {r1.Log2FoldChange, r3.Log2FoldChange},
			{r1.LfcSE, r3.LfcSE}, {r1.PValue, r3.PValue}, {r1.PAdj, r3.PAdj}, {r1.Dispersion, r3.Dispersion}} {
			if !sameFloats(pair[0], pair[1]) {
				t.Errorf("%s column %d differs between 1 and 3 workers", test, k)
			}
		}
	}
}

func TestDESeqErrors(t *testing.T) {
	c, cd := simulate(5, 50, 2)
	tests := []struct {
		name string
		mod  func(c *Counts, cd *ColData) (*Counts, *ColData, Options)
		err  error
	}{
		{"missing sample", func(c *Counts, cd *ColData) (*Counts, *ColData, Options) {
			cd2 := *cd
			cd2.Samples = append([]string{"other"}, cd.Samples[1:]...)
			return c, &cd2, Options{}
		}, ErrMissingSample},
		{"absent level", func(c *Counts, cd *ColData) (*Counts, *ColData, Options) {
			return c, cd, Options{Contrast: []string{"condition", "treated", "control"}}
		}, ErrContrast},
		{"one sample per group", func(c *Counts, cd *ColData) (*Counts, *ColData, Options) {
			c2 := &Counts{Features: c.Features, Samples: []string{c.Samples[0], c.Samples[2]}}
			for i := range c.Features {
				c2.Values = append(c2.Values, c.At(i, 0), c.At(i, 2))
			}
			return c2, cd, Options{}
		}, ErrTooFewReplicates},
		{"confounded", func(c *Counts, cd *ColData) (*Counts, *ColData, Options) {
			cd2 := &ColData{Samples: cd.Samples, Names: []string{"condition", "batch"},
				Columns: [][]string{cd.Columns[0], {"x", "x", "y", "y"}}}
			return c, cd2, Options{Design: "~ batch + condition"}
		}, ErrRank},
		{"bad test", func(c *Counts, cd *ColData) (*Counts, *ColData, Options) {
			return c, cd, Options{Test: "exact"}
		}, ErrDesign},
		{"bad size factors", func(c *Counts, cd *ColData) (*Counts, *ColData, Options) {
			return c, cd, Options{SizeFactors: []float64{1, 1}}
		}, ErrSizeFactors},
		{"negative count", func(c *Counts, cd *ColData) (*Counts, *ColData, Options) {
			c2 := *c
			c2.Values = append([]float64(nil), c.Values...)
			c2.Values[3] = -1
			return &c2, cd, Options{}
		}, ErrNotInteger},
	}
	for _, tc := range tests {
		cc, ccd, o := tc.mod(c, cd)
		if _, err := DESeq(context.Background(), cc, ccd, o); !errors.Is(err, tc.err) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.err)
		}
	}
}

func TestDESeqUserSizeFactors(t *testing.T) {
	c, cd := simulate(6, 150, 3)
	r, err := DESeq(context.Background(), c, cd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := DESeq(context.Background(), c, cd, Options{SizeFactors: r.SizeFactors})
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(r.PValue, r2.PValue) {
		t.Error("supplying the estimated size factors changed the p-values")
	}
}

func TestWriteResults(t *testing.T) {
	r := &Results{Features: []string{"a", "b"}, BaseMean: []float64{1.5, 0},
		Log2FoldChange: []float64{-0.25, math.NaN()}, LfcSE: []float64{0.1, math.NaN()},
		Stat: []float64{-2.5, math.NaN()}, PValue: []float64{0.0124193, math.NaN()}, PAdj: []float64{0.05, math.NaN()}}
	var b bytes.Buffer
	if err := WriteResults(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "mirna\tbaseMean\tlog2FoldChange\tlfcSE\tstat\tpvalue\tpadj\n" +
		"a\t1.5\t-0.25\t0.10000000000000001\t-2.5\t0.012419299999999999\t0.050000000000000003\n" +
		"b\t0\tNA\tNA\tNA\tNA\tNA\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func benchmarkDESeq(b *testing.B, c *Counts, cd *ColData, o Options) {
	b.SetBytes(int64(len(c.Values) * 8))
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := DESeq(context.Background(), c, cd, o); err != nil {
			b.Fatal(err)
		}
	}
	// CPU seconds per run summed over threads: comparable with R's
	// system.time user+sys when the machine is shared.
	b.ReportMetric((processCPU()-cpu0)*1e3/float64(b.N), "cpu-ms/op")
}

// BenchmarkDESeqSim2600x20 runs the committed 2,600 × 20 golden matrix.
func BenchmarkDESeqSim2600x20(b *testing.B) {
	c, cd := loadInputs(b, "../testdata/de/sim2600x20")
	benchmarkDESeq(b, c, cd, Options{Contrast: []string{"condition", "tumor", "control"}})
}

// BenchmarkDESeq2600x200 runs a simulated 2,600 × 200 matrix.
func BenchmarkDESeq2600x200(b *testing.B) {
	c, cd := simulate(7, 2600, 100)
	benchmarkDESeq(b, c, cd, Options{})
}

// TestDESeqRandomRobust runs DESeq on many small random matrices (sparse,
// tiny, extreme counts, Wald and LRT): it must return an error or results
// with consistent NA structure, never panic.
func TestDESeqRandomRobust(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const trials = 150
	failed := 0
	for trial := 0; trial < trials; trial++ {
		n := 1 + rng.IntN(40)
		nPer := 2 + rng.IntN(4)
		m := 2 * nPer
		c := &Counts{Features: make([]string, n), Samples: make([]string, m), Values: make([]float64, n*m)}
		cd := &ColData{Names: []string{"condition", "batch"}, Columns: [][]string{make([]string, m), make([]string, m)}}
		for j := 0; j < m; j++ {
			c.Samples[j] = fmt.Sprintf("s%d", j)
			cd.Columns[0][j] = []string{"control", "tumor"}[j/nPer]
			cd.Columns[1][j] = []string{"A", "B"}[j%2]
		}
		cd.Samples = c.Samples
		sparse := rng.Float64()
		for k := range c.Values {
			switch {
			case rng.Float64() < sparse:
				c.Values[k] = 0
			case rng.IntN(50) == 0:
				c.Values[k] = float64(rng.IntN(1e6))
			default:
				c.Values[k] = float64(rng.IntN(100))
			}
		}
		o := Options{SizeFactorType: []SizeFactorType{"ratio", "poscounts"}[rng.IntN(2)], Test: []Test{"wald", "lrt"}[rng.IntN(2)]}
		if rng.IntN(2) == 0 && nPer >= 2 {
			o.Design = "~ batch + condition"
			if o.Test == "lrt" {
				o.Reduced = "~ batch"
			}
		}
		r, err := DESeq(context.Background(), c, cd, o)
		if err != nil {
			failed++
			if testing.Verbose() {
				t.Log(err)
			}
			continue
		}
		for i := 0; i < n; i++ {
			if !(r.BaseMean[i] >= 0) {
				t.Fatalf("trial %d row %d: baseMean %v", trial, i, r.BaseMean[i])
			}
			if math.IsNaN(r.PValue[i]) && !math.IsNaN(r.PAdj[i]) {
				t.Fatalf("trial %d row %d: padj without pvalue", trial, i)
			}
			if p := r.PValue[i]; !math.IsNaN(p) && (p < 0 || p > 1) {
				t.Fatalf("trial %d row %d: pvalue %v", trial, i, p)
			}
			if r.BaseMean[i] == 0 && !math.IsNaN(r.Log2FoldChange[i]) {
				t.Fatalf("trial %d row %d: zero row with log2FC %v", trial, i, r.Log2FoldChange[i])
			}
		}
	}
	t.Logf("%d of %d random inputs gave an error (e.g. no usable size factors)", failed, trials)
	if failed > trials/2 {
		t.Errorf("most random inputs failed: the test no longer exercises the pipeline")
	}
}

// TestWriteResultsLarge checks the block-parallel writer against plain
// row-by-row formatting on 3,000 random rows with NAs.
func TestWriteResultsLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	n := 3000
	r := &Results{Features: make([]string, n)}
	cols := make([][]float64, 6)
	for k := range cols {
		cols[k] = make([]float64, n)
		for i := range cols[k] {
			cols[k][i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
			if rng.IntN(10) == 0 {
				cols[k][i] = math.NaN()
			}
		}
	}
	r.BaseMean, r.Log2FoldChange, r.LfcSE, r.Stat, r.PValue, r.PAdj = cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]
	var want strings.Builder
	want.WriteString("mirna\tbaseMean\tlog2FoldChange\tlfcSE\tstat\tpvalue\tpadj\n")
	for i := range r.Features {
		r.Features[i] = fmt.Sprintf("mir-%d", i)
		want.WriteString(r.Features[i])
		for _, c := range cols {
			want.WriteString("\t" + string(formatNum(nil, c[i])))
		}
		want.WriteString("\n")
	}
	var b strings.Builder
	if err := WriteResults(&b, r); err != nil {
		t.Fatal(err)
	}
	if b.String() != want.String() {
		t.Fatal("block-parallel output differs from row-by-row formatting")
	}
}

// TestCooksBound checks the shortcut of cooksRow: whenever a replaceable
// sample's exact Cook's distance (robust dispersion) exceeds the cutoff,
// cooksMayExceed says so, on rows with outliers of many sizes.
func TestCooksBound(t *testing.T) {
	c, cd := simulate(11, 400, 8)
	m := len(c.Samples)
	for i := 0; i < 400; i += 3 {
		j := (i * 7) % m
		c.Values[i*m+j] = c.Values[i*m+j]*float64(1+i%40) + float64(i%13*100)
	}
	pl, err := newPipeline(context.Background(), c, cd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := pl.run(); err != nil {
		t.Fatal(err)
	}
	dw := pl.dws[0]
	exceed, cleared := 0, 0
	for i := 0; i < pl.n; i++ {
		if pl.allZero[i] {
			continue
		}
		y := c.Values[i*m : (i+1)*m]
		ws := dw.glm
		pl.full.fit(ws, y, pl.res.Dispersion[i])
		for j := range dw.norm {
			dw.norm[j] = y[j] / pl.sf[j]
		}
		a := robustDisp(dw.norm, pl.cl, dw.buf, dw.buf2)
		cd := make([]float64, m)
		cooksDistances(cd, y, ws.muRaw, ws.hat, a, pl.d.p)
		out := false
		for j, v := range cd {
			out = out || (pl.replaceable[j] && v > pl.cooksCut)
		}
		may := pl.cooksMayExceed(y, ws)
		if out && !may {
			t.Fatalf("row %d: a Cook's distance exceeds %g but the bound cleared the row", i, pl.cooksCut)
		}
		if out {
			exceed++
		}
		if !may {
			cleared++
		}
	}
	if exceed == 0 || cleared == 0 {
		t.Fatalf("test data too easy: %d rows exceed, %d cleared", exceed, cleared)
	}
	t.Logf("%d rows with outliers, %d cleared by the bound", exceed, cleared)
}
