package biomarker

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// cvProbMin bounds held-out probabilities in the CV deviance, as cv.glmnet.
const cvProbMin = 1e-5

// stratifiedFolds assigns each of the samples (classes y) to one of k folds:
// each class is shuffled and dealt round-robin, so every fold holds both
// classes when each class has at least k samples.
func stratifiedFolds(y []float64, k int, rng *rand.Rand) []int {
	fold := make([]int, len(y))
	next := 0
	for _, cls := range []float64{0, 1} {
		var idx []int
		for i, v := range y {
			if v == cls {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx {
			fold[i] = next % k
			next++
		}
	}
	return fold
}

// classCounts returns the number of samples of outcome 0 and 1.
func classCounts(y []float64) (n0, n1 int) {
	for _, v := range y {
		if v == 1 {
			n1++
		} else {
			n0++
		}
	}
	return n0, n1
}

// linear returns b0 + x_i·β for the rows of the n × p matrix x.
func linear(x []float64, n, p int, b0 float64, beta []float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		f := b0
		for j, b := range beta {
			if b != 0 {
				f += b * x[i*p+j]
			}
		}
		out[i] = f
	}
	return out
}

func logistic(f float64) float64 { return 1 / (1 + math.Exp(-f)) }

// CVResult is the outcome of CV: the path on all samples, the mean held-out
// binomial deviance per λ and the λ with the smallest (cv.glmnet's
// lambda.min: the largest λ reaching the minimum).
type CVResult struct {
	Path *Path
	// Deviance[k] is the mean held-out deviance at Path.Lambda[k].
	Deviance []float64
	// Best is the index of lambda.min in Path.Lambda.
	Best int
}

// CV chooses λ by k-fold cross-validation as cv.glmnet does with
// type.measure = "deviance": the path on all samples gives the λ sequence,
// each fold's training samples are fitted on that sequence, and the
// held-out deviance −2[y log p + (1−y) log(1−p)] (p kept in [1e-5, 1−1e-5])
// is averaged over all samples. Folds are stratified by class (cv.glmnet
// draws them unstratified) and drawn from rng. k is lowered to the smaller
// class's size when that is smaller. ctx is checked on every fit (see
// Fit); a cancelled ctx gives an error matching ctx.Err() under errors.Is.
func CV(ctx context.Context, x []float64, n, p int, y []float64, alpha float64, o NetOptions, k int, rng *rand.Rand) (*CVResult, error) {
	full, err := Fit(ctx, x, n, p, y, alpha, o)
	if err != nil {
		return nil, err
	}
	n0, n1 := classCounts(y)
	k = min(k, n0, n1)
	if k < 2 {
		return nil, fmt.Errorf("%w: %d and %d samples in the two classes; cross-validation needs at least 2 of each", ErrSamples, n0, n1)
	}
	oo := o
	oo.Lambda = full.Lambda
	nl := len(full.Lambda)
	dev := make([]float64, nl)
	fold := stratifiedFolds(y, k, rng)
	for f := 0; f < k; f++ {
		var tr, te []int
		for i, g := range fold {
			if g == f {
				te = append(te, i)
			} else {
				tr = append(tr, i)
			}
		}
		xt, yt := subRows(x, p, tr), subVec(y, tr)
		fp, err := Fit(ctx, xt, len(tr), p, yt, alpha, oo)
		if err != nil {
			return nil, err
		}
		if len(fp.Lambda) == 0 {
			return nil, fmt.Errorf("%w: CV fold %d: %s", ErrConvergence, f+1, fp.Warning)
		}
		xe := subRows(x, p, te)
		for l := 0; l < nl; l++ {
			lf := min(l, len(fp.Lambda)-1) // a path cut short (maxit) scores with its last fit
			for t, f := range linear(xe, len(te), p, fp.Intercept[lf], fp.Beta[lf]) {
				q := min(max(logistic(f), cvProbMin), 1-cvProbMin)
				yi := y[te[t]]
				dev[l] += -2 * (yi*math.Log(q) + (1-yi)*math.Log(1-q))
			}
		}
	}
	best := 0
	for l := range dev {
		dev[l] /= float64(n)
		if dev[l] < dev[best] {
			best = l
		}
	}
	return &CVResult{Path: full, Deviance: dev, Best: best}, nil
}

func subRows(x []float64, p int, rows []int) []float64 {
	out := make([]float64, 0, len(rows)*p)
	for _, i := range rows {
		out = append(out, x[i*p:(i+1)*p]...)
	}
	return out
}

func subVec(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = v[i]
	}
	return out
}

// AUC is the area under the ROC curve of scores for classes y (1 positive):
// the Mann–Whitney probability that a positive outscores a negative, ties
// counting one half. NaN when a class is absent.
func AUC(score, y []float64) float64 {
	type sy struct{ s, y float64 }
	v := make([]sy, len(score))
	for i := range v {
		v[i] = sy{score[i], y[i]}
	}
	sort.Slice(v, func(a, b int) bool { return v[a].s < v[b].s })
	// rank sum of positives with mid-ranks for ties
	var r1 float64
	n0, n1 := 0, 0
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && v[j].s == v[i].s {
			j++
		}
		mid := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if v[k].y == 1 {
				r1 += mid
				n1++
			} else {
				n0++
			}
		}
		i = j
	}
	if n0 == 0 || n1 == 0 {
		return math.NaN()
	}
	return (r1 - float64(n1)*float64(n1+1)/2) / (float64(n0) * float64(n1))
}

// ROCPoint is one point of an ROC curve.
type ROCPoint struct{ FPR, TPR float64 }

// ROCCurve returns the empirical ROC curve of scores for classes y: (0, 0),
// then one point per distinct score from the highest down, ending at (1, 1).
func ROCCurve(score, y []float64) []ROCPoint {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	n0, n1 := classCounts(y)
	pts := []ROCPoint{{0, 0}}
	tp, fp := 0, 0
	for k := 0; k < len(idx); {
		s := score[idx[k]]
		for k < len(idx) && score[idx[k]] == s {
			if y[idx[k]] == 1 {
				tp++
			} else {
				fp++
			}
			k++
		}
		pts = append(pts, ROCPoint{FPR: ratio(fp, n0), TPR: ratio(tp, n1)})
	}
	return pts
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}
