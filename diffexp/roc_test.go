package diffexp

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

const rocTol = 1e-12

func TestDelongAUCHand(t *testing.T) {
	// Values worked out by hand from the definitions in ROCAUC's doc.
	tests := []struct {
		name   string
		x, y   []float64
		auc, v float64
	}{
		// ψ rows: x=3,4,5 each beat 1,2 and lose to 6 → V10 = 2/3 each,
		// V01 = {1, 1, 0}; S10 = 0, S01 = 1/3; Var = (1/3)/3 = 1/9.
		{"one inversion", []float64{3, 4, 5}, []float64{1, 2, 6}, 2.0 / 3, 1.0 / 9},
		// perfect separation: every V equals 1, variance 0
		{"separated", []float64{5, 6}, []float64{1, 2}, 1, 0},
		// all tied: ψ = ½ everywhere
		{"ties", []float64{1, 1}, []float64{1, 1, 1}, 0.5, 0},
		// x={1,3}, y={2,2}: ψ(1,·)=0, ψ(3,·)=1 → V10={0,1}, V01={½,½};
		// AUC ½, S10 = ½, S01 = 0 → Var = ¼
		{"split", []float64{1, 3}, []float64{2, 2}, 0.5, 0.25},
	}
	for _, tc := range tests {
		auc, v := delongAUC(tc.x, tc.y)
		if tc.name == "one inversion" {
			// pROC 1.18.0 (Debian r-cran-proc): ci.auc(roc(controls = y,
			// cases = x, direction = "<"), method = "delong") gives
			// 0.013345338486649 – 0.666666666666667 – 1 and var 0.1111111
			lo := auc - rocZ975*math.Sqrt(v)
			if math.Abs(lo-0.013345338486649) > 1e-12 {
				t.Errorf("lower CI %.15f, pROC 0.013345338486649", lo)
			}
		}
		if math.Abs(auc-tc.auc) > rocTol || math.Abs(v-tc.v) > rocTol {
			t.Errorf("%s: got AUC %v var %v, want %v %v", tc.name, auc, v, tc.auc, tc.v)
		}
	}
}

// delongByRanks is an independent reference: the structural components
// from mid-ranks, V10(x_i) = (R_all(x_i) − R_x(x_i)) / n0.
func delongByRanks(x, y []float64) (float64, float64) {
	all := append(append([]float64(nil), x...), y...)
	ra := averageRanks(all)
	rx := averageRanks(x)
	ry := averageRanks(y)
	n1, n0 := float64(len(x)), float64(len(y))
	v10 := make([]float64, len(x))
	v01 := make([]float64, len(y))
	auc := 0.0
	for i := range x {
		v10[i] = (ra[i] - rx[i]) / n0
		auc += v10[i]
	}
	auc /= n1
	for k := range y {
		// positives above y_k: n1 − (#x < y_k + ½ #x = y_k)
		v01[k] = (n1 - (ra[len(x)+k] - ry[k])) / n1
	}
	s10, s01 := 0.0, 0.0
	for _, v := range v10 {
		s10 += (v - auc) * (v - auc)
	}
	for _, v := range v01 {
		s01 += (v - auc) * (v - auc)
	}
	return auc, s10/(n1-1)/n1 + s01/(n0-1)/n0
}

func TestDelongAUCRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	for it := 0; it < 500; it++ {
		n1, n0 := 2+rng.IntN(15), 2+rng.IntN(15)
		x := make([]float64, n1)
		y := make([]float64, n0)
		for i := range x {
			x[i] = float64(rng.IntN(8)) // small range: many ties
		}
		for i := range y {
			y[i] = float64(rng.IntN(8))
		}
		a1, v1 := delongAUC(x, y)
		a2, v2 := delongByRanks(x, y)
		if math.Abs(a1-a2) > rocTol || math.Abs(v1-v2) > rocTol {
			t.Fatalf("x=%v y=%v: got %v %v, reference %v %v", x, y, a1, v1, a2, v2)
		}
	}
}

func TestDelongAUCpROC(t *testing.T) {
	// Reference: pROC 1.18.0 (Debian r-cran-proc, R 4.2.2),
	//   set.seed(3); x <- rpois(9, 6); y <- rpois(11, 4)
	//   r <- roc(controls = y, cases = x, direction = "<")
	//   ci.auc(r, method = "delong"); var(r)
	x := []float64{4, 8, 5, 5, 6, 6, 3, 5, 6}
	y := []float64{5, 4, 4, 4, 4, 6, 6, 2, 5, 7, 3}
	auc, v := delongAUC(x, y)
	half := rocZ975 * math.Sqrt(v)
	got := []float64{auc - half, auc, auc + half, v}
	want := []float64{0.403590024427352, 0.651515151515151, 0.899440278602951, 0.0160009182736455}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("pROC case: got %v want %v", got, want)
			break
		}
	}
}

func TestROCAUC(t *testing.T) {
	c := &Counts{
		Features: []string{"up", "down", "zero"},
		Samples:  []string{"t1", "c1", "t2", "c2", "t3", "c3"},
		Values: []float64{
			30, 10, 40, 20, 50, 60, // tumor 3,4,5 vs control 1,2,6 (÷10)
			1, 5, 2, 6, 3, 7,
			0, 0, 0, 0, 0, 0,
		},
	}
	cd := &ColData{Samples: []string{"c1", "c2", "c3", "t1", "t2", "t3"}, Names: []string{"condition"},
		Columns: [][]string{{"control", "control", "control", "tumor", "tumor", "tumor"}}}
	sf := []float64{1, 1, 1, 1, 1, 1}
	got, err := ROCAUC(c, cd, sf, "condition", "tumor", "control")
	if err != nil {
		t.Fatal(err)
	}
	half := rocZ975 / 3
	want := []ROC{
		{"up", 2.0 / 3, 2.0/3 - half, 1, "up"},
		{"down", 1, 1, 1, "down"},
		{"zero", 0.5, 0.5, 0.5, "up"},
	}
	for i, w := range want {
		g := got[i]
		if g.Feature != w.Feature || g.Direction != w.Direction || math.Abs(g.AUC-w.AUC) > rocTol ||
			math.Abs(g.Lower-w.Lower) > rocTol || math.Abs(g.Upper-w.Upper) > rocTol {
			t.Errorf("row %d: got %+v want %+v", i, g, w)
		}
	}
	var buf bytes.Buffer
	if err := WriteROC(&buf, got); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if lines[0] != "mirna\tauc\tlower\tupper\tdirection" || len(lines) != 4 || !strings.HasPrefix(lines[3], "zero\t0.5\t0.5\t0.5\tup") {
		t.Errorf("WriteROC output:\n%s", buf.String())
	}

	// errors: too few samples, missing level, missing column
	errCases := []struct {
		name, col, pos, neg string
	}{
		{"missing level", "condition", "tumour", "control"},
		{"missing column", "batch", "tumor", "control"},
	}
	for _, ec := range errCases {
		if _, err := ROCAUC(c, cd, sf, ec.col, ec.pos, ec.neg); err == nil {
			t.Errorf("%s: no error", ec.name)
		}
	}
	cd1 := &ColData{Samples: cd.Samples, Names: cd.Names,
		Columns: [][]string{{"control", "control", "control", "tumor", "other", "other"}}}
	if _, err := ROCAUC(c, cd1, sf, "condition", "tumor", "control"); err == nil {
		t.Error("one tumor sample: no error")
	}
}

// TestROCAUCGolden compares ROCAUC with pROC 1.18.0 (Debian r-cran-proc,
// R 4.2.2) on testdata/de/sim_outlier with DESeq2's size factors; the
// reference was made by testdata/de/make_goldens.sh (make_goldens.R roc).
func TestROCAUCGolden(t *testing.T) {
	dir := filepath.Join("..", "testdata", "de", "sim_outlier")
	c, cd := edgerLoad(t, dir)
	sft, _ := edgerTable(t, filepath.Join(dir, "deseq2.tsv.sizefactors.tsv"))
	sf := edgerFloats(t, sft["sizeFactor"])
	got, err := ROCAUC(c, cd, sf, "condition", "tumor", "control")
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := edgerTable(t, filepath.Join(dir, "roc_proc.tsv"))
	auc, lo, hi := edgerFloats(t, ref["auc"]), edgerFloats(t, ref["lower"]), edgerFloats(t, ref["upper"])
	worst := 0.0
	for i, r := range got {
		if ref["id"][i] != r.Feature {
			t.Fatalf("row %d: %q vs %q", i, r.Feature, ref["id"][i])
		}
		// pROC was run with direction "<" (AUC of higher-in-tumor)
		a, l, u := r.AUC, r.Lower, r.Upper
		if r.Direction == "down" {
			a, l, u = 1-r.AUC, 1-r.Upper, 1-r.Lower
		}
		for _, d := range []float64{a - auc[i], l - lo[i], u - hi[i]} {
			worst = math.Max(worst, math.Abs(d))
		}
	}
	t.Logf("ROC AUC and DeLong CI vs pROC 1.18.0 on %d features: max |difference| %.3g", len(got), worst)
	if worst > 1e-9 {
		t.Errorf("max difference %g > 1e-9", worst)
	}
}
