package biomarker

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Tolerances of issue #12 against glmnet 4.1-6 (both sides converged tightly:
// thresh 1e-14 here and in testdata/biomarker/make_glmnet_goldens.R).
const (
	coefTol   = 1e-4 // absolute, coefficients at a given λ
	lambdaTol = 1e-8 // relative, λ sequence
)

// openGolden opens name, or name.gz.
func openGolden(t *testing.T, name string) io.Reader {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		f, err = os.Open(name + ".gz")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readTSV(t *testing.T, name string) [][]string {
	t.Helper()
	sc := bufio.NewScanner(openGolden(t, name))
	sc.Buffer(nil, 1<<24)
	var rows [][]string
	for sc.Scan() {
		if sc.Text() != "" {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type goldenCase struct {
	x           []float64
	n, p        int
	y           []float64
	features    []string
	alpha       float64
	lambda      []float64
	path, given [][]float64 // [λ][term]
	givenLambda []float64
}

func loadCase(t *testing.T, dir string) goldenCase {
	var g goldenCase
	rows := readTSV(t, filepath.Join(dir, "x.tsv"))
	g.features = rows[0][2:]
	g.n, g.p = len(rows)-1, len(g.features)
	for _, r := range rows[1:] {
		g.y = append(g.y, num(t, r[1]))
		for _, v := range r[2:] {
			g.x = append(g.x, num(t, v))
		}
	}
	for _, r := range readTSV(t, filepath.Join(dir, "info.tsv")) {
		if strings.Fields(r[0])[0] == "alpha" {
			g.alpha = num(t, strings.Fields(r[0])[1])
		}
	}
	for _, r := range readTSV(t, filepath.Join(dir, "lambda.tsv")) {
		g.lambda = append(g.lambda, num(t, r[0]))
	}
	for _, r := range readTSV(t, filepath.Join(dir, "given_lambda.tsv")) {
		g.givenLambda = append(g.givenLambda, num(t, r[0]))
	}
	coefs := func(name string) [][]float64 {
		rows := readTSV(t, filepath.Join(dir, name))
		out := make([][]float64, len(rows[0])-1)
		for _, r := range rows[1:] {
			for k, v := range r[1:] {
				out[k] = append(out[k], num(t, v))
			}
		}
		return out
	}
	g.path, g.given = coefs("path.tsv"), coefs("given.tsv")
	return g
}

func comparePath(t *testing.T, what string, got *Path, want [][]float64) float64 {
	t.Helper()
	if len(got.Lambda) != len(want) {
		t.Fatalf("%s: %d λ, glmnet %d", what, len(got.Lambda), len(want))
	}
	worst := 0.0
	for k := range want {
		d := math.Abs(got.Intercept[k] - want[k][0])
		for j, b := range got.Beta[k] {
			d = math.Max(d, math.Abs(b-want[k][j+1]))
		}
		if d > coefTol {
			t.Errorf("%s: λ[%d]=%g: max |Δcoef| %.3g > %g", what, k, got.Lambda[k], d, coefTol)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// TestFitGlmnetGolden compares Fit with glmnet 4.1-6 (made by
// testdata/biomarker/make_glmnet_goldens.R): vst of real counts
// (pd_amygdala, GSE97285) and simulated counts, Gaussian designs with
// α = 0, 0.3, 1, a constant and an all-zero feature, a perfectly separating
// feature (glmnet's path stops early), an all-zero sample.
func TestFitGlmnetGolden(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/biomarker/*/x.tsv*")
	if len(dirs) < 8 {
		t.Fatalf("golden cases missing: %v", dirs)
	}
	for _, xf := range dirs {
		dir := filepath.Dir(xf)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			g := loadCase(t, dir)
			tight := NetOptions{Thresh: 1e-14, MaxIt: 1e7}
			got, err := Fit(context.Background(), g.x, g.n, g.p, g.y, g.alpha, tight)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Lambda) != len(g.lambda) {
				t.Fatalf("path length %d, glmnet %d", len(got.Lambda), len(g.lambda))
			}
			worstL := 0.0
			for k, l := range g.lambda {
				worstL = math.Max(worstL, math.Abs(got.Lambda[k]-l)/l)
			}
			if worstL > lambdaTol {
				t.Errorf("λ sequence: max relative Δ %.3g > %g", worstL, lambdaTol)
			}
			wp := comparePath(t, "path", got, g.path)
			o := tight
			o.Lambda = g.givenLambda
			given, err := Fit(context.Background(), g.x, g.n, g.p, g.y, g.alpha, o)
			if err != nil {
				t.Fatal(err)
			}
			wg := comparePath(t, "given λ", given, g.given)
			t.Logf("%d×%d α=%g: %d λ, max rel Δλ %.2g, max |Δcoef| path %.2g, given λ %.2g", g.n, g.p, g.alpha, len(g.lambda), worstL, wp, wg)
		})
	}
}
