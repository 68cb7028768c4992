package diffexp

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/exomir/exomir/internal/corr"
)

// Reference values: testdata/de/*/edger_ql.tsv, made with edgeR 3.40.2 by
// testdata/de/make_edgerql_goldens.R (see testdata/de/README.md).

var edgerQLGoldenSets = []struct {
	name, design string
	contrast     []string
}{
	{"sim2600x20", "", []string{"condition", "tumor", "control"}},
	{"pd_amygdala", "", []string{"condition", "ct", "cc"}},
	{"sim_batch", "~ batch + condition", []string{"condition", "tumor", "control"}},
}

func TestEdgeRQLGolden(t *testing.T) {
	for _, gs := range edgerQLGoldenSets {
		t.Run(gs.name, func(t *testing.T) {
			dir := filepath.Join("../testdata/de", gs.name)
			c, cd := edgerLoad(t, dir)
			tab, _ := edgerTable(t, filepath.Join(dir, "edger_ql.tsv"))
			var q *edgerQLFit
			if gs.design == "" {
				st, err := edgerPrepare(c, cd, Options{Contrast: gs.contrast}, 1, "")
				if err != nil {
					t.Fatal(err)
				}
				q, err = edgerQL(context.Background(), c, st, 0)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				var err error
				q, err = edgerQLDesign(context.Background(), c, cd, Options{Design: gs.design, Contrast: gs.contrast})
				if err != nil {
					t.Fatal(err)
				}
			}
			r := q.res
			for i, id := range tab["id"] {
				if id != r.Features[i] {
					t.Fatalf("row %d: id %q vs %q", i, id, r.Features[i])
				}
			}
			relMax := func(got, want []float64) float64 {
				w := 0.0
				for i := range want {
					if math.IsNaN(want[i]) && math.IsNaN(got[i]) {
						continue
					}
					w = math.Max(w, math.Abs(got[i]-want[i])/math.Max(math.Abs(want[i]), 1e-300))
				}
				return w
			}
			wantPrior := edgerFloats(t, tab["df.prior"])[0]
			wantTrend := edgerFloats(t, tab["trended.dispersion"])
			wantLogCPM := edgerFloats(t, tab["logCPM"])
			wantVar := edgerFloats(t, tab["var.post"])
			wantLFC := edgerFloats(t, tab["logFC"])
			wantF := edgerFloats(t, tab["F"])
			wantP := edgerFloats(t, tab["PValue"])
			wantFDR := edgerFloats(t, tab["FDR"])
			relPrior := math.Abs(q.dfPrior-wantPrior) / wantPrior
			relTrend := relMax(r.DispFit, wantTrend)
			relVar := relMax(q.varPost, wantVar)
			relF := relMax(r.Stat, wantF)
			maxCPM := 0.0
			for i := range wantLogCPM {
				maxCPM = math.Max(maxCPM, math.Abs(r.LogCPM[i]-wantLogCPM[i]))
			}
			pear := corr.Pearson(r.Log2FoldChange, wantLFC)
			var dl []float64
			maxDL := 0.0
			for i := range wantP {
				d := math.Abs(math.Log10(r.PValue[i]) - math.Log10(wantP[i]))
				dl = append(dl, d)
				maxDL = math.Max(maxDL, d)
			}
			medDL := median(dl)
			nGot, nWant, nDiff := 0, 0, 0
			for i := range wantFDR {
				a, b := r.PAdj[i] < 0.05, wantFDR[i] < 0.05
				if a {
					nGot++
				}
				if b {
					nWant++
				}
				if a != b {
					nDiff++
				}
			}
			t.Logf("%s vs edgeR 3.40.2 glmQLFTest: df.prior %.10g (edgeR %.10g, rel %.2g); trended disp max rel %.2g; logCPM max |Δ| %.2g; var.post max rel %.2g; F max rel %.2g; logFC Pearson %.12f; |Δlog10 p| median %.2g max %.2g; FDR<0.05 %d (edgeR %d), %d differ",
				gs.name, q.dfPrior, wantPrior, relPrior, relTrend, maxCPM, relVar, relF, pear, medDL, maxDL, nGot, nWant, nDiff)
			if pear < 0.99999 {
				t.Errorf("logFC Pearson %g < 0.99999", pear)
			}
			if medDL > 0.01 {
				t.Errorf("median |Δlog10 p| %g > 0.01", medDL)
			}
			if nDiff != 0 {
				t.Errorf("%d features differ in FDR < 0.05", nDiff)
			}
			if relPrior > 1e-6 || relVar > 1e-6 || maxDL > 1e-4 {
				t.Errorf("df.prior rel %g, var.post rel %g or max |Δlog10 p| %g beyond 1e-6/1e-6/1e-4", relPrior, relVar, maxDL)
			}
		})
	}
}

// TestEdgeRQLWorkers checks that the written QL results are byte-identical
// whatever the worker count.
func TestEdgeRQLWorkers(t *testing.T) {
	t.Run("sim2600x20", func(t *testing.T) { edgerQLWorkers(t, "sim2600x20", "") })
	t.Run("sim_batch", func(t *testing.T) { edgerQLWorkers(t, "sim_batch", "~ batch + condition") })
}

func edgerQLWorkers(t *testing.T, name, design string) {
	c, cd := edgerLoad(t, "../testdata/de/"+name)
	var first []byte
	for _, w := range []int{1, 3, 8} {
		r, err := EdgeRQL(context.Background(), c, cd, Options{Design: design, Contrast: []string{"condition", "tumor", "control"}, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteEdgeRQLResults(&b, r); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b.Bytes()
			if !bytes.HasPrefix(first, []byte("mirna\tlogFC\tlogCPM\tF\tPValue\tFDR\n")) {
				t.Fatalf("header: %q", first[:40])
			}
			continue
		}
		if !bytes.Equal(first, b.Bytes()) {
			t.Errorf("workers=%d: output differs from workers=1", w)
		}
	}
}

// TestEdgeRQLErrors checks the design and test checks.
func TestEdgeRQLErrors(t *testing.T) {
	c, cd := edgerLoad(t, "../testdata/de/sim2600x20")
	if _, err := EdgeRQL(context.Background(), c, cd, Options{Design: "~ nope + condition"}); !errors.Is(err, ErrDesign) {
		t.Errorf("unknown covariate: err = %v, want ErrDesign", err)
	}
	if _, err := EdgeRQL(context.Background(), c, cd, Options{Test: "lrt"}); !errors.Is(err, ErrDesign) {
		t.Errorf("test lrt: err = %v, want ErrDesign", err)
	}
}

// TestFitFDistTrendPredict checks that a value set aside (df = 0) leaves
// the prior df unchanged and gets the trend's prediction: at the covariate
// of a fitted point it equals that point's prior scale.
func TestFitFDistTrendPredict(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	n := 200
	x, df, cov := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		cov[i] = rng.Float64() * 10
		df[i] = 4
		x[i] = math.Exp(0.3*math.Sin(cov[i])) * rng.ExpFloat64()
	}
	d0, s0 := fitFDistTrend(x, df, cov)
	x2 := append(append([]float64(nil), x...), 5)
	df2 := append(append([]float64(nil), df...), 0)
	cov2 := append(append([]float64(nil), cov...), cov[7])
	d1, s1 := fitFDistTrend(x2, df2, cov2)
	if d0 != d1 {
		t.Fatalf("prior df changed by an unusable value: %g vs %g", d0, d1)
	}
	if math.Abs(s1[n]-s0[7]) > 1e-12*s0[7] {
		t.Errorf("prediction at a fitted covariate %g, fitted value %g", s1[n], s0[7])
	}
}
