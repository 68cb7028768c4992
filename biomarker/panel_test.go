package biomarker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/exomir/exomir/diffexp"
	"gonum.org/v1/gonum/stat/distuv"
)

// simCounts simulates negative-binomial counts (dispersion 0.1, log means
// ~ N(log 50, 1.5)) of n features in m0 control + m1 tumor samples; the
// first nDE features change by fold in tumor. Size factors vary ±30%.
func simCounts(seed uint64, n, m0, m1, nDE int, fold float64) (*diffexp.Counts, *diffexp.ColData) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := m0 + m1
	c := &diffexp.Counts{Values: make([]float64, n*m)}
	cd := &diffexp.ColData{Names: []string{"condition"}, Columns: make([][]string, 1)}
	sf := make([]float64, m)
	for j := 0; j < m; j++ {
		name, lvl := fmt.Sprintf("c%02d", j+1), "control"
		if j >= m0 {
			name, lvl = fmt.Sprintf("t%02d", j-m0+1), "tumor"
		}
		c.Samples = append(c.Samples, name)
		cd.Samples = append(cd.Samples, name)
		cd.Columns[0] = append(cd.Columns[0], lvl)
		sf[j] = 0.7 + 0.6*rng.Float64()
	}
	const disp = 0.1
	for i := 0; i < n; i++ {
		c.Features = append(c.Features, fmt.Sprintf("miR-%04d", i+1))
		mu := math.Exp(math.Log(50) + 1.5*rng.NormFloat64())
		for j := 0; j < m; j++ {
			mj := mu * sf[j]
			if i < nDE && j >= m0 {
				mj *= fold
			}
			g := distuv.Gamma{Alpha: 1 / disp, Beta: 1 / (mj * disp), Src: rng}.Rand()
			c.Values[i*m+j] = distuv.Poisson{Lambda: g, Src: rng}.Rand()
		}
	}
	return c, cd
}

// permuted returns cd with the condition labels permuted.
func permuted(cd *diffexp.ColData, rng *rand.Rand) *diffexp.ColData {
	out := &diffexp.ColData{Samples: cd.Samples, Names: cd.Names, Columns: [][]string{append([]string(nil), cd.Columns[0]...)}}
	col := out.Columns[0]
	rng.Shuffle(len(col), func(a, b int) { col[a], col[b] = col[b], col[a] })
	return out
}

// TestPanelNullHonest: on null counts (40 vs 40, no true difference) with
// labels permuted at random, the mean nested-CV AUC over 20 permutations is
// within 0.5 ± 0.07 (issue #12), while the leaky variant — features chosen
// by their class difference on all samples before the CV — scores high on
// the same data, so this test can fail.
func TestPanelNullHonest(t *testing.T) {
	c, cd := simCounts(1, 300, 40, 40, 0, 1)
	rng := rand.New(rand.NewPCG(99, 1))
	const perms, leakyPerms = 20, 8
	var honest, leaky float64
	for k := 0; k < perms; k++ {
		pcd := permuted(cd, rng)
		o := PanelOptions{Positive: "tumor", Negative: "control", Features: 5, Alpha: 1, Folds: 4, Repeats: 1, Seed: uint64(k)}
		p, err := BuildPanel(context.Background(), c, pcd, o)
		if err != nil {
			t.Fatal(err)
		}
		honest += p.AUC
		if k >= leakyPerms {
			continue
		}
		o.Leaky = true
		p, err = BuildPanel(context.Background(), c, pcd, o)
		if err != nil {
			t.Fatal(err)
		}
		leaky += p.AUC
	}
	honest /= perms
	leaky /= leakyPerms
	t.Logf("mean AUC: nested CV %.3f over %d permutations, leaky %.3f over the first %d", honest, perms, leaky, leakyPerms)
	if math.Abs(honest-0.5) > 0.07 {
		t.Errorf("nested CV on null data: mean AUC %.3f, want 0.5 ± 0.07", honest)
	}
	if leaky < 0.65 {
		t.Errorf("leaky selection on null data: mean AUC %.3f, expected > 0.65 (the test could not detect a leak)", leaky)
	}
}

// TestPanelPredictReproducesInSample: the locked model, written to JSON and
// read back, scores the training counts exactly as the final fit did; and
// a signal is found (first 30 features change 3×).
func TestPanelPredictReproducesInSample(t *testing.T) {
	c, cd := simCounts(2, 250, 12, 12, 30, 3)
	p, err := BuildPanel(context.Background(), c, cd, PanelOptions{Positive: "tumor", Negative: "control", Features: 40, Alpha: 0.5, Folds: 3, Repeats: 2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if p.AUC < 0.9 {
		t.Errorf("3× changes in 30 of 250 features: nested-CV AUC %.3f, want ≥ 0.9", p.AUC)
	}
	var buf bytes.Buffer
	if err := p.Model.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	md, err := ReadModel(&buf, "model.json")
	if err != nil {
		t.Fatal(err)
	}
	scores, missing, err := md.Predict(c)
	if err != nil || len(missing) > 0 {
		t.Fatal(err, missing)
	}
	for j, s := range scores {
		if s.Sample != c.Samples[j] || s.Score != p.InSample[j] {
			t.Fatalf("sample %d: predict %s %v, in-sample %s %v", j, s.Sample, s.Score, c.Samples[j], p.InSample[j])
		}
		if s.Positive != (s.Score >= 0.5) {
			t.Fatalf("sample %d: class %v for score %v", j, s.Positive, s.Score)
		}
	}
	// one sample alone scores the same (no batch effect of the new cohort)
	one := &diffexp.Counts{Features: c.Features, Samples: c.Samples[5:6]}
	for i := range c.Features {
		one.Values = append(one.Values, c.At(i, 5))
	}
	s1, _, err := md.Predict(one)
	if err != nil || s1[0].Score != p.InSample[5] {
		t.Fatalf("alone: %v %v, want %v", s1, err, p.InSample[5])
	}
	// a signature miRNA missing from the new counts is an error naming it
	var sig string
	for k, b := range md.Coefficients {
		if b != 0 {
			sig = md.Features[k]
			break
		}
	}
	drop := &diffexp.Counts{Samples: c.Samples}
	for i, f := range c.Features {
		if f != sig {
			drop.Features = append(drop.Features, f)
			drop.Values = append(drop.Values, c.Values[i*len(c.Samples):(i+1)*len(c.Samples)]...)
		}
	}
	if _, _, err := md.Predict(drop); !errors.Is(err, ErrFeature) || !strings.Contains(err.Error(), sig) {
		t.Fatalf("missing %s: %v", sig, err)
	}
}

// TestPanelDeterministic: all outputs are byte-identical whatever the
// number of workers, and change with the seed.
func TestPanelDeterministic(t *testing.T) {
	c, cd := simCounts(4, 200, 10, 10, 20, 2)
	run := func(workers int, seed uint64) []byte {
		p, err := BuildPanel(context.Background(), c, cd, PanelOptions{Positive: "tumor", Negative: "control", Features: 30, Alpha: 0.7, Folds: 3, Repeats: 3, Seed: seed, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		for _, w := range []func(io.Writer) error{p.WriteCVAUC, p.WriteStability, p.WriteROC, p.WriteOOF, p.Model.WriteJSON} {
			if err := w(&b); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteCoefficients(&b, p.Path, p.Model.Features); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a := run(1, 5)
	if !bytes.Equal(a, run(4, 5)) {
		t.Error("outputs depend on the worker count")
	}
	if bytes.Equal(a, run(2, 6)) {
		t.Error("outputs do not depend on the seed")
	}
}

// TestPanelErrors: bad options and unusable samples are errors naming
// what is wrong.
func TestPanelErrors(t *testing.T) {
	c, cd := simCounts(5, 60, 6, 6, 0, 1)
	base := PanelOptions{Positive: "tumor", Negative: "control", Features: 10, Alpha: 1, Folds: 3, Repeats: 1}
	cases := []struct {
		name string
		mod  func(o *PanelOptions, c *diffexp.Counts, cd *diffexp.ColData)
		want error
		text string
	}{
		{"alpha", func(o *PanelOptions, _ *diffexp.Counts, _ *diffexp.ColData) { o.Alpha = 1.5 }, ErrOption, "alpha"},
		{"folds", func(o *PanelOptions, _ *diffexp.Counts, _ *diffexp.ColData) { o.Folds = 7 }, ErrSamples, "at least 7"},
		{"level", func(o *PanelOptions, _ *diffexp.Counts, _ *diffexp.ColData) { o.Positive = "tumour" }, ErrSamples, "tumour"},
		{"column", func(o *PanelOptions, _ *diffexp.Counts, _ *diffexp.ColData) { o.Column = "batch" }, ErrOption, "batch"},
		{"zero sample", func(_ *PanelOptions, c *diffexp.Counts, _ *diffexp.ColData) {
			for i := range c.Features {
				c.Values[i*len(c.Samples)+3] = 0
			}
		}, ErrSamples, c.Samples[3]},
	}
	for _, tc := range cases {
		o := base
		cc := &diffexp.Counts{Features: c.Features, Samples: c.Samples, Values: append([]float64(nil), c.Values...)}
		tc.mod(&o, cc, cd)
		_, err := BuildPanel(context.Background(), cc, cd, o)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// a cancelled context stops the work
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := BuildPanel(ctx, c, cd, base); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
