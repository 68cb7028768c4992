package biomarker

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/corr"
	"gonum.org/v1/gonum/stat/distuv"
)

// PanelOptions control Panel. Zero fields mean the defaults given.
type PanelOptions struct {
	// Column is the coldata column of the classes (default "condition");
	// Positive is the contrast's numerator level (outcome 1), Negative its
	// denominator (outcome 0). Samples of other levels are an error.
	Column, Positive, Negative string
	// Features is the number of most variable vst rows used (default 200).
	Features int
	// Alpha is the elastic-net mixing parameter, used as given (0 is
	// ridge, 1 the lasso).
	Alpha float64
	// Lambda is a user λ sequence (nil: glmnet's own on each fit).
	Lambda []float64
	// Folds (default 5) and Repeats (default 10) shape the outer
	// cross-validation; the inner one, choosing λ, has Folds folds too.
	Folds, Repeats int
	// Seed makes the fold draws reproducible.
	Seed uint64
	// Workers is the number of goroutines (0: GOMAXPROCS); results do not
	// depend on it.
	Workers int
	// Version is recorded in the model (the exomir version).
	Version string
	// Leaky, for tests only, selects the features once, on all samples and
	// by their class difference (largest |Welch t| on the vst), before the
	// cross-validation — the common leak (DE first, then CV) that makes
	// null data look predictive.
	Leaky bool
}

// Panel is the result of BuildPanel.
type Panel struct {
	// Model is fitted on all samples, λ chosen by CV.
	Model *Model
	// Path is the final model's path (all λ, on Model.Features).
	Path *Path
	// InSample are the final model's scores of the training samples (input
	// order), as Model.Predict gives them on the same counts.
	InSample []float64
	// FoldAUC[r][k] is the test AUC of outer fold k in repeat r.
	FoldAUC [][]float64
	// AUC is the mean of all fold AUCs, with a 95% interval
	// [Lower, Upper] (see BuildPanel).
	AUC, Lower, Upper float64
	// RepeatAUC are per-repeat means with their intervals.
	RepeatAUC []Interval
	// OOF are the out-of-fold scores, repeat by repeat, samples in input
	// order.
	OOF []OOFScore
	// Stability lists the miRNAs selected (nonzero coefficient) in at
	// least one outer fold, by decreasing frequency, then name.
	Stability []Stability
	// ROC is the curve of the pooled out-of-fold scores (all repeats).
	ROC []ROCPoint
	// Warnings are doubtful conditions met on the way.
	Warnings []string
}

// Interval is an estimate with a 95% confidence interval.
type Interval struct{ Est, Lower, Upper float64 }

// OOFScore is a sample's out-of-fold score in one repeat.
type OOFScore struct {
	Sample   string
	Repeat   int // 1-based
	Score    float64
	Positive bool
}

// Stability is a miRNA's selection frequency over the outer folds and its
// mean coefficient (zeros included) on the vst scale.
type Stability struct {
	Mirna     string
	Frequency float64
	MeanCoef  float64
}

// BuildPanel fits an elastic-net logistic signature on the counts c with
// classes from cd, and estimates its performance by nested
// cross-validation: Repeats × Folds outer folds (stratified), in each of
// which the size factors, DESeq2's vst (blind = FALSE, design ~ Column,
// parametric trend with DESeq2's fallbacks), the choice of the Features
// most variable rows and λ (inner CV, see CV) are fitted on the training
// samples only, and the test samples are scored through the training
// fold's locked vst. The reported AUC is the mean of the fold AUCs (pooled
// out-of-fold scores are biased below 0.5 on null data with small folds);
// its interval is mean ± t(0.975, Folds−1)·sd/√Folds with sd the standard
// deviation of all fold AUCs — the folds of one repeat, not of all, count
// as independent (repeats reuse the same samples) — clipped to [0, 1].
func BuildPanel(ctx context.Context, c *diffexp.Counts, cd *diffexp.ColData, o PanelOptions) (*Panel, error) {
	if o.Column == "" {
		o.Column = "condition"
	}
	if o.Features == 0 {
		o.Features = 200
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.Repeats == 0 {
		o.Repeats = 10
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case o.Features < 1:
		return nil, fmt.Errorf("%w: %d features", ErrOption, o.Features)
	case o.Folds < 2 || o.Repeats < 1:
		return nil, fmt.Errorf("%w: %d folds × %d repeats (need ≥ 2 folds, ≥ 1 repeat)", ErrOption, o.Folds, o.Repeats)
	case !(o.Alpha >= 0 && o.Alpha <= 1):
		return nil, fmt.Errorf("%w: alpha %g not in [0, 1]", ErrOption, o.Alpha)
	case o.Positive == "" || o.Negative == "" || o.Positive == o.Negative:
		return nil, fmt.Errorf("%w: contrast levels %q vs %q", ErrOption, o.Positive, o.Negative)
	}
	cda, err := cd.Align(c.Samples)
	if err != nil {
		return nil, err
	}
	col := cda.Column(o.Column)
	if col == nil {
		return nil, fmt.Errorf("%w: no coldata column %q", ErrOption, o.Column)
	}
	m := len(c.Samples)
	y := make([]float64, m)
	for j, v := range col {
		switch v {
		case o.Positive:
			y[j] = 1
		case o.Negative:
		default:
			return nil, fmt.Errorf("%w: sample %q has %s %q, neither %q nor %q", ErrSamples, c.Samples[j], o.Column, v, o.Positive, o.Negative)
		}
	}
	n0, n1 := classCounts(y)
	if min(n0, n1) < o.Folds {
		return nil, fmt.Errorf("%w: %d %s and %d %s samples; %d-fold cross-validation needs at least %d of each", ErrSamples, n1, o.Positive, n0, o.Negative, o.Folds, o.Folds)
	}
	for j := 0; j < m; j++ {
		zero := true
		for i := range c.Features {
			if c.At(i, j) != 0 {
				zero = false
				break
			}
		}
		if zero {
			return nil, fmt.Errorf("%w: sample %q has no counts (all zero): no size factor exists", ErrSamples, c.Samples[j])
		}
	}
	pb := &panelBuilder{o: o, c: c, cd: cda, y: y}
	if o.Leaky {
		all := make([]int, m)
		for j := range all {
			all[j] = j
		}
		tr, _, err := pb.vst(ctx, all)
		if err != nil {
			return nil, err
		}
		pb.leakRows = topT(tr, y, o.Features)
	}
	// the final model on all samples
	final, err := pb.fitFinal(ctx, rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)))
	if err != nil {
		return nil, err
	}
	// outer folds: one task per (repeat, fold), each with its own RNG
	K, R := o.Folds, o.Repeats
	folds := make([][]int, R)
	for r := range folds {
		folds[r] = stratifiedFolds(y, K, rand.New(rand.NewPCG(o.Seed, uint64(r+1))))
	}
	res := make([]foldResult, R*K)
	errs := make([]error, R*K)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				if err := cancelled(ctx); err != nil {
					errs[t] = err
					continue
				}
				r, k := t/K, t%K
				res[t], errs[t] = pb.outerFold(ctx, folds[r], k, rand.New(rand.NewPCG(o.Seed^0x5851f42d4c957f2d, uint64(t+1))))
				if errs[t] != nil {
					errs[t] = fmt.Errorf("repeat %d, fold %d: %w", r+1, k+1, errs[t])
				}
			}
		}()
	}
	for t := range res {
		next <- t
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return pb.summarise(final, folds, res), nil
}

type panelBuilder struct {
	o        PanelOptions
	c        *diffexp.Counts
	cd       *diffexp.ColData
	y        []float64
	leakRows []int // Leaky: rows chosen on all samples
}

type foldResult struct {
	auc      float64
	test     []int
	score    []float64
	features []string
	beta     []float64
}

// subset returns the counts and coldata of the given samples.
func (pb *panelBuilder) subset(cols []int) (*diffexp.Counts, *diffexp.ColData) {
	c := pb.c
	m := len(c.Samples)
	sc := &diffexp.Counts{Features: c.Features, Values: make([]float64, 0, len(c.Features)*len(cols))}
	for _, j := range cols {
		sc.Samples = append(sc.Samples, c.Samples[j])
	}
	for i := range c.Features {
		for _, j := range cols {
			sc.Values = append(sc.Values, c.Values[i*m+j])
		}
	}
	cd := &diffexp.ColData{Samples: sc.Samples, Names: pb.cd.Names, Columns: make([][]string, len(pb.cd.Names))}
	for k := range pb.cd.Names {
		for _, j := range cols {
			cd.Columns[k] = append(cd.Columns[k], pb.cd.Columns[k][j])
		}
	}
	return sc, cd
}

// vst fits the locked vst on the given samples.
func (pb *panelBuilder) vst(ctx context.Context, cols []int) (*diffexp.Transformed, *diffexp.VSTModel, error) {
	sc, cd := pb.subset(cols)
	f := false
	return diffexp.FitVST(ctx, sc, cd, diffexp.TransformOptions{Blind: &f, Design: "~ " + pb.o.Column, Workers: 1})
}

// topVariable returns the indices of the k rows of t with the largest
// sample variance (ties: input order), in input order.
func topVariable(t *diffexp.Transformed, k int) []int {
	m := len(t.Samples)
	n := len(t.Features)
	v := make([]float64, n)
	idx := make([]int, n)
	for i := range v {
		_, ss := corr.MeanSS(t.Values[i*m : (i+1)*m])
		v[i] = ss / float64(m-1)
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] > v[idx[b]] })
	idx = idx[:min(k, n)]
	sort.Ints(idx)
	return idx
}

// topT returns the indices of the k rows of t with the largest Welch
// |t| between the classes y (ties: input order), in input order.
func topT(t *diffexp.Transformed, y []float64, k int) []int {
	m, n := len(t.Samples), len(t.Features)
	st := make([]float64, n)
	idx := make([]int, n)
	for i := range st {
		var s, ss [2]float64
		var c [2]float64
		for j, v := range t.Values[i*m : (i+1)*m] {
			g := int(y[j])
			s[g] += v
			ss[g] += v * v
			c[g]++
		}
		var mu, va [2]float64
		for g := range mu {
			mu[g] = s[g] / c[g]
			va[g] = (ss[g] - c[g]*mu[g]*mu[g]) / (c[g] - 1)
		}
		se := math.Sqrt(va[0]/c[0] + va[1]/c[1])
		if se > 0 {
			st[i] = math.Abs(mu[1]-mu[0]) / se
		}
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return st[idx[a]] > st[idx[b]] })
	idx = idx[:min(k, n)]
	sort.Ints(idx)
	return idx
}

// design returns the samples × rows matrix (row-major) of t's chosen rows.
func design(t *diffexp.Transformed, rows []int) []float64 {
	m := len(t.Samples)
	x := make([]float64, m*len(rows))
	for k, i := range rows {
		for j := 0; j < m; j++ {
			x[j*len(rows)+k] = t.Values[i*m+j]
		}
	}
	return x
}

func (pb *panelBuilder) netOptions() NetOptions {
	return NetOptions{Lambda: pb.o.Lambda}
}

// fitFinal fits the model on all samples.
func (pb *panelBuilder) fitFinal(ctx context.Context, rng *rand.Rand) (*finalFit, error) {
	all := make([]int, len(pb.y))
	for j := range all {
		all[j] = j
	}
	tr, vm, err := pb.vst(ctx, all)
	if err != nil {
		return nil, err
	}
	rows := topVariable(tr, pb.o.Features)
	p := len(rows)
	x := design(tr, rows)
	cv, err := CV(ctx, x, len(all), p, pb.y, pb.o.Alpha, pb.netOptions(), pb.o.Folds, rng)
	if err != nil {
		return nil, err
	}
	feats := make([]string, p)
	for k, i := range rows {
		feats[k] = tr.Features[i]
	}
	b := cv.Best
	mod := &Model{
		Column: pb.o.Column, Positive: pb.o.Positive, Negative: pb.o.Negative,
		Alpha: pb.o.Alpha, Lambda: cv.Path.Lambda[b], Intercept: cv.Path.Intercept[b],
		Features: feats, Coefficients: append([]float64(nil), cv.Path.Beta[b]...),
		VST: vm, Threshold: 0.5, Version: pb.o.Version,
	}
	ins := linear(x, len(all), p, mod.Intercept, mod.Coefficients)
	for i, f := range ins {
		ins[i] = logistic(f)
	}
	return &finalFit{model: mod, path: cv.Path, warn: cv.Path.Warning, inSample: ins}, nil
}

type finalFit struct {
	model    *Model
	path     *Path
	warn     string
	inSample []float64
}

// outerFold fits everything on the training samples of fold k and scores
// its test samples.
func (pb *panelBuilder) outerFold(ctx context.Context, fold []int, k int, rng *rand.Rand) (foldResult, error) {
	var trn, tst []int
	for j, f := range fold {
		if f == k {
			tst = append(tst, j)
		} else {
			trn = append(trn, j)
		}
	}
	tr, vm, err := pb.vst(ctx, trn)
	if err != nil {
		return foldResult{}, err
	}
	tc, _ := pb.subset(tst)
	te, _, err := vm.Apply(tc)
	if err != nil {
		return foldResult{}, err
	}
	rows := pb.leakRows
	if rows == nil {
		rows = topVariable(tr, pb.o.Features)
	}
	p := len(rows)
	ytr := subVec(pb.y, trn)
	cv, err := CV(ctx, design(tr, rows), len(trn), p, ytr, pb.o.Alpha, pb.netOptions(), pb.o.Folds, rng)
	if err != nil {
		return foldResult{}, err
	}
	b := cv.Best
	f := linear(design(te, rows), len(tst), p, cv.Path.Intercept[b], cv.Path.Beta[b])
	score := make([]float64, len(f))
	for i, v := range f {
		score[i] = logistic(v)
	}
	fr := foldResult{test: tst, score: score, auc: AUC(score, subVec(pb.y, tst))}
	for kk, i := range rows {
		if bj := cv.Path.Beta[b][kk]; bj != 0 {
			fr.features = append(fr.features, tr.Features[i])
			fr.beta = append(fr.beta, bj)
		}
	}
	return fr, nil
}

func (pb *panelBuilder) summarise(final *finalFit, folds [][]int, res []foldResult) *Panel {
	K, R := pb.o.Folds, pb.o.Repeats
	pn := &Panel{Model: final.model, Path: final.path, InSample: final.inSample}
	if final.warn != "" {
		pn.Warnings = append(pn.Warnings, "final model: "+final.warn)
	}
	var all []float64
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(K - 1)}.Quantile(0.975)
	interval := func(a []float64, k int) Interval {
		mean, sd := meanSD(a)
		h := tq * sd / math.Sqrt(float64(k))
		return Interval{mean, math.Max(0, mean-h), math.Min(1, mean+h)}
	}
	m := len(pb.y)
	pooledS := make([]float64, 0, R*m)
	pooledY := make([]float64, 0, R*m)
	sel := map[string]int{}
	sum := map[string]float64{}
	for r := 0; r < R; r++ {
		row := make([]float64, K)
		score := make([]float64, m)
		for k := 0; k < K; k++ {
			fr := res[r*K+k]
			row[k] = fr.auc
			for t, j := range fr.test {
				score[j] = fr.score[t]
			}
			for t, f := range fr.features {
				sel[f]++
				sum[f] += fr.beta[t]
			}
		}
		pn.FoldAUC = append(pn.FoldAUC, row)
		pn.RepeatAUC = append(pn.RepeatAUC, interval(row, K))
		all = append(all, row...)
		for j := 0; j < m; j++ {
			pn.OOF = append(pn.OOF, OOFScore{Sample: pb.c.Samples[j], Repeat: r + 1, Score: score[j], Positive: pb.y[j] == 1})
			pooledS = append(pooledS, score[j])
			pooledY = append(pooledY, pb.y[j])
		}
	}
	iv := interval(all, K)
	pn.AUC, pn.Lower, pn.Upper = iv.Est, iv.Lower, iv.Upper
	pn.ROC = ROCCurve(pooledS, pooledY)
	for f, n := range sel {
		pn.Stability = append(pn.Stability, Stability{Mirna: f, Frequency: float64(n) / float64(R*K), MeanCoef: sum[f] / float64(R*K)})
	}
	sort.Slice(pn.Stability, func(a, b int) bool {
		sa, sb := pn.Stability[a], pn.Stability[b]
		if sa.Frequency != sb.Frequency {
			return sa.Frequency > sb.Frequency
		}
		return sa.Mirna < sb.Mirna
	})
	n0, n1 := classCounts(pb.y)
	if min(n0, n1) < 10 {
		pn.Warnings = append(pn.Warnings, fmt.Sprintf("only %d %s and %d %s samples: cross-validated AUCs of so few samples are very uncertain", n1, pb.o.Positive, n0, pb.o.Negative))
	}
	nz := 0
	for _, b := range final.model.Coefficients {
		if b != 0 {
			nz++
		}
	}
	if nz == 0 {
		pn.Warnings = append(pn.Warnings, "the final model selected no miRNA (λ chosen by CV is at the null model): no signature")
	}
	return pn
}

// meanSD returns the mean and sample standard deviation (0 for one value).
func meanSD(a []float64) (mean, sd float64) {
	for _, v := range a {
		mean += v
	}
	mean /= float64(len(a))
	if len(a) < 2 {
		return mean, 0
	}
	ss := 0.0
	for _, v := range a {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(a)-1))
}
