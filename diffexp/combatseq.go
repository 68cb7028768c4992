package diffexp

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mathext"
)

// ComBatSeq removes batch effects from a count matrix as sva's ComBat_seq
// (sva 3.46, Zhang, Parmigiani & Johnson 2020, NAR Genom Bioinform
// 2:lqaa078) does with its defaults (shrink = FALSE), written from the
// paper and the sva documentation:
//
//	features      only those with a non-zero count in every batch are
//	              adjusted; the rest are returned unchanged
//	dispersions   per batch, edgeR's Cox–Reid common dispersion (maximiser
//	              of the summed adjusted profile likelihood, Brent search
//	              on φ^¼ in [0, √2]) and gene-wise dispersions (grid
//	              φ_c·2^t, t = −6…6, no prior), with the condition as a
//	              one-way design inside the batch; a batch too small for
//	              it, or missing a condition level, gets its common
//	              dispersion from an intercept-only fit
//	GLM           NB fit of ~ 0 + batch + condition (offsets log library
//	              size, per-sample dispersion of the sample's batch),
//	              refitted with the offsets moved by the sample-size-
//	              weighted mean batch effect; batch effects γ are the
//	              coefficients with prior count 1e-4
//	adjustment    μ* = μ̂·e^(−γ_batch), φ* = mean over batches of φ̂;
//	              counts y > 1 are mapped y → 1 + qnbinom(pnbinom(y − 1;
//	              μ̂, φ̂); μ*, φ*) (kept when that probability is within
//	              1e-4 of 1); counts 0 and 1 are kept
//
// batch and group give each sample's batch and condition (group nil or
// single-level: no condition). Every batch needs at least 2 samples. The
// result has the shape and order of c, integer counts. Rows are fitted on
// workers goroutines (0 = GOMAXPROCS); the result does not depend on it.
// A cancelled ctx stops the fits between blocks of rows with an error
// matching ctx.Err() under errors.Is.
func ComBatSeq(ctx context.Context, c *Counts, batch, group []string, workers int) (*Counts, error) {
	if err := cancelled(ctx); err != nil {
		return nil, err
	}
	n, m := len(c.Features), len(c.Samples)
	if n == 0 || m == 0 {
		return nil, fmt.Errorf("%w: empty count matrix", ErrEmpty)
	}
	if len(c.Values) != n*m {
		return nil, fmt.Errorf("%w: %d values for %d×%d matrix", ErrFormat, len(c.Values), n, m)
	}
	if len(batch) != m || (group != nil && len(group) != m) {
		return nil, fmt.Errorf("%w: %d samples but %d batch and %d group labels", ErrDesign, m, len(batch), len(group))
	}
	bLevels := uniqueSorted(batch)
	bIdx := levelIndex(batch, bLevels)
	nb := len(bLevels)
	members := make([][]int, nb)
	for j, b := range bIdx {
		members[b] = append(members[b], j)
	}
	for b, mem := range members {
		if len(mem) < 2 {
			return nil, fmt.Errorf("%w: batch %q has %d sample(s); ComBat-seq needs at least 2 per batch", ErrTooFewReplicates, bLevels[b], len(mem))
		}
	}
	var gLevels []string
	var gIdx []int
	if group != nil {
		gLevels = uniqueSorted(group)
		gIdx = levelIndex(group, gLevels)
	}
	ng := len(gLevels)
	if ng < 2 {
		ng, gIdx = 1, make([]int, m)
	}
	// design ~ 0 + batch + condition (treatment coding)
	p := nb + ng - 1
	x := make([]float64, m*p)
	for j := 0; j < m; j++ {
		x[j*p+bIdx[j]] = 1
		if gIdx[j] > 0 {
			x[j*p+nb+gIdx[j]-1] = 1
		}
	}
	if matRank(x, m, p) < p {
		if ng == 2 && p == nb+1 {
			return nil, fmt.Errorf("%w: the condition is confounded with batch", ErrRank)
		}
		return nil, fmt.Errorf("%w: a condition level is confounded with batch", ErrRank)
	}
	if m <= p {
		return nil, fmt.Errorf("%w: %d samples for %d coefficients", ErrTooFewReplicates, m, p)
	}

	// features with a count in every batch
	var keep []int
	for i := 0; i < n; i++ {
		y := c.Row(i)
		ok := true
		for _, mem := range members {
			nonzero := false
			for _, j := range mem {
				if y[j] != 0 {
					nonzero = true
					break
				}
			}
			if !nonzero {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, i)
		}
	}
	out := &Counts{Features: append([]string(nil), c.Features...), Samples: append([]string(nil), c.Samples...), Values: append([]float64(nil), c.Values...)}
	nk := len(keep)
	if nk == 0 {
		return out, nil
	}
	lib := make([]float64, m)
	for _, i := range keep {
		for j, v := range c.Row(i) {
			lib[j] += v
		}
	}

	// per-batch dispersions
	phi := make([][]float64, nb) // [batch][kept row]
	for b, mem := range members {
		// groups of the one-way design inside the batch
		var groups [][]int
		present := map[int][]int{}
		for _, j := range mem {
			present[gIdx[j]] = append(present[gIdx[j]], j)
		}
		oneWay := len(mem) > ng && len(present) == ng
		if oneWay {
			for g := 0; g < ng; g++ {
				groups = append(groups, present[g])
			}
		} else {
			groups = [][]int{mem}
		}
		libB := make([]float64, m)
		for _, i := range keep {
			for _, j := range mem {
				libB[j] += c.Row(i)[j]
			}
		}
		offB := make([]float64, m)
		for _, j := range mem {
			offB[j] = math.Log(libB[j])
		}
		var rows []int // kept rows with a batch row sum ≥ 5
		for k, i := range keep {
			s := 0.0
			for _, j := range mem {
				s += c.Row(i)[j]
			}
			if s >= 5 {
				rows = append(rows, k)
			}
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("%w: batch %q: no feature with a row sum ≥ 5", ErrDispersion, bLevels[b])
		}
		aplSum := func(d float64) float64 {
			parts := make([]float64, len(rows))
			// a cancelled search ends on partial sums, checked below
			_ = parallelRows(ctx, len(rows), workers, func(lo, hi int) {
				for r := lo; r < hi; r++ {
					parts[r] = coxReidAPL(c.Row(keep[rows[r]]), groups, offB, d)
				}
			})
			s := 0.0
			for _, v := range parts {
				s += v
			}
			return s
		}
		par := brentMin(func(t float64) float64 { return -aplSum(t * t * t * t) }, 0, math.Pow(4, 0.25), 1e-5)
		if err := cancelled(ctx); err != nil {
			return nil, err
		}
		common := par * par * par * par
		phi[b] = make([]float64, nk)
		for k := range phi[b] {
			phi[b][k] = common
		}
		if !oneWay {
			continue
		}
		gridT := make([]float64, 11)
		for g := range gridT {
			gridT[g] = -6 + 1.2*float64(g)
		}
		if err := parallelRows(ctx, len(rows), workers, func(lo, hi int) {
			apl := make([]float64, len(gridT))
			for r := lo; r < hi; r++ {
				y := c.Row(keep[rows[r]])
				for g, t := range gridT {
					apl[g] = coxReidAPL(y, groups, offB, common*math.Exp2(t))
				}
				phi[b][rows[r]] = common * math.Exp2(maximizeInterpolant(gridT, apl))
			}
		}); err != nil {
			return nil, err
		}
	}

	off := make([]float64, m)
	for j := range off {
		off[j] = math.Log(lib[j])
	}
	if err := parallelRows(ctx, nk, workers, func(lo, hi int) {
		f := newNBFit(x, m, p)
		disp := make([]float64, m)
		off2 := make([]float64, m)
		var gamma []float64
		for k := lo; k < hi; k++ {
			i := keep[k]
			y := c.Row(i)
			for j := range disp {
				disp[j] = phi[bIdx[j]][k]
			}
			coef := append([]float64(nil), f.shrunk(y, off, disp, 1e-4)...)
			alpha := 0.0
			for b := range members {
				alpha += coef[b] * float64(len(members[b])) / float64(m)
			}
			for j := range off2 {
				off2[j] = off[j] + alpha
			}
			gamma := append(gamma[:0], f.shrunk(y, off2, disp, 1e-4)[:nb]...)
			muHat := f.fit(y, off2, disp)
			phiStar := 0.0
			for b := range members {
				phiStar += phi[b][k]
			}
			phiStar /= float64(nb)
			row := out.Values[i*m : (i+1)*m]
			for j, v := range y {
				if v <= 1 {
					continue
				}
				pr := pnbinom(v-1, 1/disp[j], muHat[j])
				if math.Abs(pr-1) < 1e-4 {
					continue
				}
				muStar := math.Exp(math.Log(muHat[j]) - gamma[bIdx[j]])
				row[j] = 1 + qnbinom(pr, 1/phiStar, muStar)
			}
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// levelIndex maps each value to its index in levels.
func levelIndex(v, levels []string) []int {
	idx := map[string]int{}
	for k, l := range levels {
		idx[l] = k
	}
	out := make([]int, len(v))
	for j, s := range v {
		out[j] = idx[s]
	}
	return out
}

// matRank is the numerical rank of the m × p row-major matrix a (Gaussian
// elimination with partial pivoting, tolerance 1e-7 relative to the
// largest entry, like R's qr()).
func matRank(a []float64, m, p int) int {
	w := append([]float64(nil), a...)
	big := 0.0
	for _, v := range w {
		big = math.Max(big, math.Abs(v))
	}
	tol := 1e-7 * math.Max(big, 1)
	rank := 0
	for col := 0; col < p && rank < m; col++ {
		piv := rank
		for r := rank + 1; r < m; r++ {
			if math.Abs(w[r*p+col]) > math.Abs(w[piv*p+col]) {
				piv = r
			}
		}
		if math.Abs(w[piv*p+col]) <= tol {
			continue
		}
		for k := 0; k < p; k++ {
			w[rank*p+k], w[piv*p+k] = w[piv*p+k], w[rank*p+k]
		}
		for r := rank + 1; r < m; r++ {
			f := w[r*p+col] / w[rank*p+col]
			for k := col; k < p; k++ {
				w[r*p+k] -= f * w[rank*p+k]
			}
		}
		rank++
	}
	return rank
}

// coxReidAPL is edgeR's adjustedProfileLik for a one-way layout: the NB
// log likelihood at the group-wise MLEs (coefficients floored at −1e8)
// minus half the log determinant of the Fisher information, Σ_g log Σ_j
// μ_j/(1 + φμ_j) (a group fitted at zero contributes log 1e-10, as
// edgeR's floor on the factorisation's diagonal).
func coxReidAPL(y []float64, groups [][]int, off []float64, phi float64) float64 {
	ll, logdet := 0.0, 0.0
	for _, mem := range groups {
		b := math.Max(oneGroupNB(y, mem, off, phi, math.NaN()), -1e8)
		w := 0.0
		for _, j := range mem {
			mu := math.Exp(b + off[j])
			ll += lnNB(y[j], mu, phi, true)
			w += mu / (1 + phi*mu)
		}
		if w < 1e-10 {
			logdet += math.Log(1e-10)
		} else {
			logdet += math.Log(w)
		}
	}
	return ll - 0.5*logdet
}

// brentMin is R's optimize(): Brent's (1973) minimisation of f on [a, b]
// by golden-section steps and parabolic interpolation, to tolerance tol.
func brentMin(f func(float64) float64, a, b, tol float64) float64 {
	c := (3 - math.Sqrt(5)) * 0.5
	eps := math.Sqrt(2.220446049250313e-16)
	v := a + c*(b-a)
	w, x := v, v
	d, e := 0.0, 0.0
	fx := f(x)
	fv, fw := fx, fx
	tol3 := tol / 3
	for it := 0; it < 1000; it++ {
		xm := (a + b) * 0.5
		tol1 := eps*math.Abs(x) + tol3
		t2 := tol1 * 2
		if math.Abs(x-xm) <= t2-(b-a)*0.5 {
			break
		}
		p, q, r := 0.0, 0.0, 0.0
		if math.Abs(e) > tol1 {
			r = (x - w) * (fx - fv)
			q = (x - v) * (fx - fw)
			p = (x-v)*q - (x-w)*r
			q = (q - r) * 2
			if q > 0 {
				p = -p
			} else {
				q = -q
			}
			r = e
			e = d
		}
		var u float64
		if math.Abs(p) >= math.Abs(q*0.5*r) || p <= q*(a-x) || p >= q*(b-x) {
			if x < xm {
				e = b - x
			} else {
				e = a - x
			}
			d = c * e
		} else {
			d = p / q
			u = x + d
			if u-a < t2 || b-u < t2 {
				d = tol1
				if x >= xm {
					d = -d
				}
			}
		}
		switch {
		case math.Abs(d) >= tol1:
			u = x + d
		case d > 0:
			u = x + tol1
		default:
			u = x - tol1
		}
		fu := f(u)
		if fu <= fx {
			if u < x {
				b = x
			} else {
				a = x
			}
			v, w, x = w, x, u
			fv, fw, fx = fw, fx, fu
		} else {
			if u < x {
				a = u
			} else {
				b = u
			}
			if fu <= fw || w == x {
				v, fv = w, fw
				w, fw = u, fu
			} else if fu <= fv || v == x || v == w {
				v, fv = u, fu
			}
		}
	}
	return x
}

// pnbinom is R's pnbinom(q, size, mu = mu) for integer q ≥ 0.
func pnbinom(q, size, mu float64) float64 {
	if q < 0 {
		return 0
	}
	if mu <= 0 {
		return 1
	}
	return mathext.RegIncBeta(size, q+1, size/(size+mu))
}

// qnbinom is R's qnbinom(p, size, mu = mu): the smallest integer y with
// pnbinom(y) ≥ p (p fuzzed down by 64 ulp, as R, for left continuity),
// searched from the Cornish–Fisher approximation.
func qnbinom(p, size, mu float64) float64 {
	if p <= 0 || mu <= 0 {
		return 0
	}
	if p >= 1 {
		return math.Inf(1)
	}
	pr := size / (size + mu)
	sigma := math.Sqrt(mu / pr)
	gamma := (2 - pr) / math.Sqrt(size*(1-pr))
	z := normQuantile(p)
	y := math.Max(0, math.Round(mu+sigma*(z+gamma*(z*z-1)/6)))
	target := p * (1 - 64*2.220446049250313e-16)
	if pnbinom(y, size, mu) >= target {
		for y > 0 && pnbinom(y-1, size, mu) >= target {
			y--
		}
		return y
	}
	for pnbinom(y, size, mu) < target {
		y++
	}
	return y
}

// normQuantile is the standard normal quantile.
func normQuantile(p float64) float64 {
	return -math.Sqrt2 * math.Erfcinv(2*p)
}

// nbFit fits NB GLMs with a fixed design as edgeR's glmFit does: by
// Fisher scoring with Levenberg damping and mglmLevenberg's start, step
// schedule and stopping rule (so the fit stops where edgeR's does, within
// ~1e-6 of the deviance minimum), or group by group when the design is a
// one-way layout (mglmOneWay).
type nbFit struct {
	x          []float64 // m × p, row-major
	m, p       int
	cellOf     []int       // one-way layout: each sample's cell, else nil
	cellInv    [][]float64 // design rows of the cells, inverted (p × p)
	cells      [][]int
	beta, mu   []float64
	yp, offp   []float64
	info, l, g []float64
}

func newNBFit(x []float64, m, p int) *nbFit {
	f := &nbFit{x: x, m: m, p: p, beta: make([]float64, p), mu: make([]float64, m),
		yp: make([]float64, m), offp: make([]float64, m), info: make([]float64, p*p), l: make([]float64, p*p), g: make([]float64, p)}
	// one-way: as many distinct design rows as columns
	var reps []int
	cellOf := make([]int, m)
	for j := 0; j < m; j++ {
		found := -1
		for k, r := range reps {
			same := true
			for c := 0; c < p; c++ {
				if x[j*p+c] != x[r*p+c] {
					same = false
					break
				}
			}
			if same {
				found = k
				break
			}
		}
		if found < 0 {
			found = len(reps)
			reps = append(reps, j)
		}
		cellOf[j] = found
	}
	if len(reps) == p {
		a := make([]float64, p*p)
		for k, r := range reps {
			copy(a[k*p:(k+1)*p], x[r*p:(r+1)*p])
		}
		inv, ok := invertSmall(a, p)
		if ok {
			f.cellOf = cellOf
			f.cellInv = inv
			f.cells = make([][]int, p)
			for j, k := range cellOf {
				f.cells[k] = append(f.cells[k], j)
			}
		}
	}
	return f
}

// invertSmall inverts the p × p row-major matrix a by Gauss–Jordan
// elimination with partial pivoting, as rows of a [][]float64.
func invertSmall(a []float64, p int) ([][]float64, bool) {
	w := make([][]float64, p)
	for i := range w {
		w[i] = make([]float64, 2*p)
		copy(w[i], a[i*p:(i+1)*p])
		w[i][p+i] = 1
	}
	for c := 0; c < p; c++ {
		piv := c
		for r := c + 1; r < p; r++ {
			if math.Abs(w[r][c]) > math.Abs(w[piv][c]) {
				piv = r
			}
		}
		if math.Abs(w[piv][c]) < 1e-12 {
			return nil, false
		}
		w[c], w[piv] = w[piv], w[c]
		d := w[c][c]
		for k := range w[c] {
			w[c][k] /= d
		}
		for r := 0; r < p; r++ {
			if r != c && w[r][c] != 0 {
				f := w[r][c]
				for k := range w[r] {
					w[r][k] -= f * w[c][k]
				}
			}
		}
	}
	out := make([][]float64, p)
	for i := range out {
		out[i] = append([]float64(nil), w[i][p:]...)
	}
	return out, true
}

// shrunk returns the coefficients of the fit with prior count pc (edgeR's
// addPriorCount: counts raised by pc·L_j/mean(L), offsets log(L_j + 2·that),
// L_j = e^off_j). The slice is reused by the next call.
func (f *nbFit) shrunk(y, off, disp []float64, pc float64) []float64 {
	mean := 0.0
	for _, o := range off {
		mean += math.Exp(o)
	}
	mean /= float64(f.m)
	for j, o := range off {
		l := math.Exp(o)
		a := pc * l / mean
		f.yp[j] = y[j] + a
		f.offp[j] = math.Log(l + 2*a)
	}
	f.fit(f.yp, f.offp, disp)
	return f.beta
}

// fit fits counts y and returns the fitted means (reused by the next call);
// f.beta holds the coefficients.
func (f *nbFit) fit(y, off, disp []float64) []float64 {
	return f.fitFrom(y, off, disp, nil)
}

// fitFrom is fit starting the damped iterations from start (nil: edgeR's
// null start); one-way layouts ignore start.
func (f *nbFit) fitFrom(y, off, disp, start []float64) []float64 {
	m, p := f.m, f.p
	if f.cellOf != nil {
		cb := make([]float64, p)
		for k, mem := range f.cells {
			cb[k] = math.Max(oneGroupNBFit(y, mem, off, 0, disp, math.NaN()), -1e8)
		}
		for j := 0; j < m; j++ {
			f.mu[j] = math.Exp(cb[f.cellOf[j]] + off[j])
		}
		for c := 0; c < p; c++ {
			s := 0.0
			for k := 0; k < p; k++ {
				s += f.cellInv[c][k] * cb[k]
			}
			f.beta[c] = s
		}
		return f.mu
	}
	// edgeR's "null" start: the weighted mean log ratio of counts to
	// library sizes, weights N/(1 + φN), fitted by least squares (the
	// design spans the intercept, so every sample gets that value)
	se, sw, ymax := 0.0, 0.0, 0.0
	for j := 0; j < m; j++ {
		nj := math.Exp(off[j])
		w := nj / (1 + disp[j]*nj)
		se += y[j] * w / nj
		sw += w
		ymax = math.Max(ymax, y[j])
	}
	if ymax < 1e-10 {
		for a := range f.beta {
			f.beta[a] = math.NaN()
		}
		for j := range f.mu {
			f.mu[j] = 0
		}
		return f.mu
	}
	cur := math.Log(se / sw)
	lsq := make([]float64, p)
	for i := range f.info {
		f.info[i] = 0
	}
	for j := 0; j < m; j++ {
		xr := f.x[j*p : (j+1)*p]
		for a := 0; a < p; a++ {
			lsq[a] += xr[a] * cur
			for b := 0; b < p; b++ {
				f.info[a*p+b] += xr[a] * xr[b]
			}
		}
	}
	if !cholSolve(f.info, p, lsq, f.l) {
		for a := range lsq {
			lsq[a] = 0
		}
	}
	copy(f.beta, lsq)
	if start != nil {
		copy(f.beta, start)
	}
	// Levenberg-damped Fisher scoring with edgeR's schedule: λ starts at
	// 1e-6 of the largest information diagonal, doubles while the deviance
	// would rise, falls tenfold after an undamped step; stop when the score
	// times the step is below 1e-6 (mglmLevenberg, tol 1e-6, 250 steps)
	dev := f.deviance(y, off, disp, f.beta)
	maxInfo, lambda := -1.0, 0.0
	trial := make([]float64, p)
	damped := make([]float64, p*p)
	step := make([]float64, p)
	for it := 1; it <= 250; it++ {
		for i := range f.info {
			f.info[i] = 0
		}
		for a := range f.g {
			f.g[a] = 0
		}
		for j := 0; j < m; j++ {
			xr := f.x[j*p : (j+1)*p]
			mu := f.mu[j]
			den := 1 + mu*disp[j]
			w := mu / den
			r := (y[j] - mu) / den
			for a := 0; a < p; a++ {
				f.g[a] += xr[a] * r
				for b := 0; b < p; b++ {
					f.info[a*p+b] += xr[a] * w * xr[b]
				}
			}
		}
		for a := 0; a < p; a++ {
			maxInfo = math.Max(maxInfo, f.info[a*p+a])
		}
		if it == 1 {
			lambda = math.Max(maxInfo*1e-6, 1e-13)
		}
		lev, failed, lowDev := 0, false, false
		for {
			lev++
			for {
				copy(damped, f.info)
				for a := 0; a < p; a++ {
					damped[a*p+a] += lambda
				}
				copy(step, f.g)
				if cholSolve(damped, p, step, f.l) {
					break
				}
				lambda *= 10
				if lambda <= 0 {
					lambda = 1e-100
				}
			}
			for a := range trial {
				trial[a] = f.beta[a] + step[a]
			}
			newDev := f.deviance(y, off, disp, trial)
			if newDev/ymax < 1e-13 {
				lowDev = true
			}
			if newDev <= dev || lowDev {
				copy(f.beta, trial)
				dev = newDev
				break
			}
			lambda *= 2
			if lambda <= 0 {
				lambda = 1e-100
			}
			if lambda/maxInfo > 1e13 {
				failed = true
				break
			}
		}
		if failed {
			f.deviance(y, off, disp, f.beta)
			break
		}
		if lowDev || dot(f.g, step) < 1e-6 {
			break
		}
		if lev == 1 {
			lambda /= 10
		}
	}
	return f.mu
}

// deviance sets f.mu at beta and returns the NB deviance.
func (f *nbFit) deviance(y, off, disp, beta []float64) float64 {
	d := 0.0
	for j := 0; j < f.m; j++ {
		eta := off[j]
		for a := 0; a < f.p; a++ {
			eta += f.x[j*f.p+a] * beta[a]
		}
		f.mu[j] = math.Exp(eta)
		d += edgerUnitDeviance(y[j], f.mu[j], disp[j])
	}
	return d
}

// WriteCounts writes c as a tab-separated count matrix (mirna, then the
// samples), values as integers when whole (otherwise shortest round-trip
// form), rows in order.
func WriteCounts(w io.Writer, c *Counts) error {
	if c == nil {
		return fmt.Errorf("%w: nil matrix", ErrEmpty)
	}
	return writeMatrix(w, c.Features, c.Samples, c.Values, func(b []byte, v float64) []byte {
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.AppendInt(b, int64(v), 10)
		}
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	})
}
