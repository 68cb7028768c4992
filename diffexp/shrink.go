package diffexp

import (
	"context"
	"fmt"
	"math"
	"sort"
)

// ridgeWork is scratch for ridgeFit.
type ridgeWork struct {
	mu, eta, w   []float64
	a, xtwx, rhs []float64
	chol, ainv   []float64
	tmp, cov     []float64
}

func newRidgeWork(m, p int) *ridgeWork {
	return &ridgeWork{mu: make([]float64, m), eta: make([]float64, m), w: make([]float64, m),
		a: make([]float64, p*p), xtwx: make([]float64, p*p), rhs: make([]float64, p),
		chol: make([]float64, p*p), ainv: make([]float64, p*p), tmp: make([]float64, p*p), cov: make([]float64, p*p)}
}

// ridgeFit fits the negative-binomial GLM log μ_j = log s_j + x_jβ with a
// ridge penalty ½ Σ λ_k β_k² (natural-log scale) by IRLS from beta (in
// place), as DESeq2's fitNbinomGLMs: μ floored at 0.5, stop when the
// deviance changes by less than tol relative (after the first step), at
// most glmMaxIter iterations, give up when a |β| exceeds 30. It reports
// convergence; ws.mu holds the final (floored) means.
func ridgeFit(x []float64, m, p int, sf, y []float64, alpha float64, lambda, beta []float64, tol float64, ws *ridgeWork) bool {
	linPred := func() {
		for j := 0; j < m; j++ {
			ws.eta[j] = dot(x[j*p:(j+1)*p], beta)
		}
	}
	return ridgeIRLS(sf, y, alpha, beta, tol, ws, linPred, func() bool {
		a, rhs := ws.a, ws.rhs
		clear(a)
		clear(rhs)
		for j := 0; j < m; j++ {
			mu := ws.mu[j]
			wj := mu / (1 + alpha*mu)
			zj := ws.eta[j] + (y[j]-mu)/mu
			r := x[j*p : (j+1)*p]
			for k := 0; k < p; k++ {
				if r[k] == 0 {
					continue
				}
				wk := wj * r[k]
				rhs[k] += wk * zj
				for l := 0; l <= k; l++ {
					a[k*p+l] += wk * r[l]
				}
			}
		}
		for k := 0; k < p; k++ {
			a[k*p+k] += lambda[k]
			for l := 0; l < k; l++ {
				a[l*p+k] = a[k*p+l]
			}
		}
		// beta is left as it was when the step fails
		if !cholSolve(a, p, rhs, ws.chol) || !coefsOK(rhs) {
			return false
		}
		copy(beta, rhs)
		return true
	})
}

// ridgeIRLS is the IRLS loop of ridgeFit and rlogFit: linPred sets ws.eta
// to the linear predictor of beta, from which the means are set (floored
// at glmMinMu, the predictor then moved to match); step updates beta by
// one penalised weighted least-squares solve at those means (false: give
// up). It stops when the deviance changes by less than tol relative
// (after the first step), at most glmMaxIter steps, and gives up when a
// |β| exceeds glmLarge; it reports convergence.
func ridgeIRLS(sf, y []float64, alpha float64, beta []float64, tol float64, ws *ridgeWork, linPred func(), step func() bool) bool {
	setMu := func() {
		linPred()
		for j := range y {
			e := ws.eta[j]
			mu := sf[j] * math.Exp(e)
			if mu < glmMinMu {
				mu = glmMinMu
				e = math.Log(mu / sf[j])
			}
			ws.mu[j], ws.eta[j] = mu, e
		}
	}
	setMu()
	dc := nbConst(y, alpha)
	devOld := 0.0
	for it := 0; it < glmMaxIter; it++ {
		if !step() || !coefsOK(beta) {
			return false
		}
		setMu()
		dev := nbDeviance(y, ws.mu, alpha, dc)
		if math.IsNaN(dev) {
			return false
		}
		if it > 0 && math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < tol {
			return true
		}
		devOld = dev
	}
	return false
}

// coefsOK reports whether no coefficient is NaN or larger than glmLarge
// in absolute value.
func coefsOK(b []float64) bool {
	for _, v := range b {
		if math.Abs(v) > glmLarge || math.IsNaN(v) {
			return false
		}
	}
	return true
}

// ridgeCov sets ws.cov to the sandwich covariance (XᵀWX+Λ)⁻¹XᵀWX(XᵀWX+Λ)⁻¹
// at the means in ws.mu.
func ridgeCov(x []float64, m, p int, alpha float64, lambda []float64, ws *ridgeWork) {
	xtwx := ws.xtwx
	clear(xtwx)
	for j := 0; j < m; j++ {
		mu := ws.mu[j]
		wj := mu / (1 + alpha*mu)
		r := x[j*p : (j+1)*p]
		for k := 0; k < p; k++ {
			for l := 0; l < p; l++ {
				xtwx[k*p+l] += wj * r[k] * r[l]
			}
		}
	}
	copy(ws.a, xtwx)
	for k := 0; k < p; k++ {
		ws.a[k*p+k] += lambda[k]
	}
	if !cholInverse(ws.a, p, ws.ainv, ws.chol) {
		for k := range ws.cov {
			ws.cov[k] = math.NaN()
		}
		return
	}
	matMul(ws.tmp, ws.ainv, xtwx, p)
	matMul(ws.cov, ws.tmp, ws.ainv, p)
}

// qnorm975 is the standard normal 97.5% quantile.
var qnorm975 = math.Sqrt2 * math.Erfinv(0.95)

// weightedUpperQuantileVar is DESeq2's matchWeightedUpperQuantileForVariance:
// the variance of a zero-mean normal whose (1 − upper/2) quantile equals
// the weighted (1 − upper) quantile of |x| (Hmisc's wtd.quantile with
// normalised weights: weights scaled to sum to the number of values, equal
// values merged, linear interpolation between the order statistics at
// positions ⌊1+(n−1)q⌋ and the next, read off the cumulative weights as a
// right-continuous step function).
func weightedUpperQuantileVar(x, w []float64, upper float64) float64 {
	type pt struct{ x, w float64 }
	pts := make([]pt, 0, len(x))
	sw := 0.0
	for k := range x {
		if w[k] == 0 || math.IsNaN(w[k]) || math.IsNaN(x[k]) {
			continue
		}
		pts = append(pts, pt{math.Abs(x[k]), w[k]})
		sw += w[k]
	}
	if len(pts) == 0 {
		return math.NaN()
	}
	scale := float64(len(pts)) / sw
	sort.Slice(pts, func(a, b int) bool { return pts[a].x < pts[b].x })
	var xs, cum []float64
	c := 0.0
	for k, q := range pts {
		c += q.w * scale
		if k > 0 && q.x == pts[k-1].x {
			cum[len(cum)-1] = c
			continue
		}
		xs = append(xs, q.x)
		cum = append(cum, c)
	}
	n := c
	order := 1 + (n-1)*(1-upper)
	low := math.Max(math.Floor(order), 1)
	high := math.Min(low+1, n)
	frac := math.Mod(order, 1)
	step := func(v float64) float64 {
		if v < cum[0] {
			return xs[0]
		}
		last := len(cum) - 1
		if v > cum[last] {
			return xs[last]
		}
		// first knot with cum ≥ v
		k := sort.SearchFloat64s(cum, v)
		return xs[k]
	}
	q := (1-frac)*step(low) + frac*step(high)
	sd := q / qnorm975
	return sd * sd
}

// RLog is DESeq2's rlog: the dispersion trend is estimated (blind: design
// ~ 1), then every row is fitted by a negative-binomial GLM with an
// intercept and one coefficient per sample, the sample coefficients under
// a zero-centred normal prior (ridge) whose variance is estimated from the
// data as DESeq2 does — the weighted 95% quantile of
// |log2(q_ij + ½) − log2(baseMean_i + ½)|, weights 1/(1/baseMean + α_trend),
// matched to a normal's 97.5% quantile — and the dispersions on the trend;
// the transformed value is intercept + sample coefficient (log2). IRLS
// stops at a relative deviance change of 1e-4, as in DESeq2; each step is
// O(m) (rlogFit). Rows with all counts zero are 0. A cancelled ctx stops
// the fits between blocks of rows with an error matching ctx.Err() under
// errors.Is.
func RLog(ctx context.Context, c *Counts, cd *ColData, o TransformOptions) (*Transformed, error) {
	pl, err := trendStage(ctx, c, cd, o)
	if err != nil {
		return nil, err
	}
	return rlogFromTrend(pl)
}

// rlogFromTrend fits rlog with the trend values in pl.res.DispFit.
func rlogFromTrend(pl *pipeline) (*Transformed, error) {
	c := pl.c
	t := newTransformed(pl)
	m, r := pl.m, pl.res
	var nz []int
	for i := 0; i < pl.n; i++ {
		if !pl.allZero[i] {
			nz = append(nz, i)
		}
	}
	xs := make([]float64, 0, len(nz)*m)
	ws := make([]float64, 0, len(nz)*m)
	for _, i := range nz {
		bm := r.BaseMean[i]
		lb := math.Log2(bm + 0.5)
		w := 1 / (1/bm + r.DispFit[i])
		for j, v := range c.Values[i*m : (i+1)*m] {
			xs = append(xs, math.Log2(v/pl.sf[j]+0.5)-lb)
			ws = append(ws, w)
		}
	}
	bpv := weightedUpperQuantileVar(xs, ws, 0.05)
	if !(bpv > 0) || math.IsInf(bpv, 0) {
		return nil, fmt.Errorf("%w: rlog prior variance %g is not positive", ErrDispersion, bpv)
	}
	t.BetaPriorVar = bpv
	// design: intercept + one indicator per sample (rlogFit)
	p := m + 1
	ln2sq := math.Ln2 * math.Ln2
	lambda := make([]float64, p)
	lambda[0] = ridgeLog2 / ln2sq
	for k := 1; k < p; k++ {
		lambda[k] = 1 / bpv / ln2sq
	}
	work := make([]*ridgeWork, pl.workers)
	betas := make([][]float64, pl.workers)
	for w := range work {
		work[w] = newRidgeWork(m, 1)
		betas[w] = make([]float64, p)
	}
	if err := pl.parallel(len(nz), func(w, k int) {
		i := nz[k]
		beta := betas[w]
		clear(beta)
		beta[0] = math.Log(r.BaseMean[i])
		rlogFit(pl.sf, c.Values[i*m:(i+1)*m], r.DispFit[i], lambda[0], lambda[1], beta, 1e-4, work[w])
		for j := 0; j < m; j++ {
			t.Values[i*m+j] = (beta[0] + beta[j+1]) / math.Ln2
		}
	}); err != nil {
		return nil, err
	}
	return t, nil
}

// rlogFit is ridgeFit for rlog's design (an intercept plus one indicator
// per sample: x_j = e_0 + e_{j+1}) with ridge l0 on the intercept and l on
// the sample coefficients. XᵀWX + Λ is then an arrow matrix, solved in
// O(m) through the Schur complement of its diagonal block:
//
//	β0 = (b0 − Σ w_j b_j/(w_j+l)) / (Σ w_j + l0 − Σ w_j²/(w_j+l)),  β_j = (b_j − w_j β0)/(w_j+l)
//
// with b = XᵀWz, so rlog costs O(m) per row and iteration rather than O(m³).
func rlogFit(sf, y []float64, alpha, l0, l float64, beta []float64, tol float64, ws *ridgeWork) bool {
	m := len(y)
	linPred := func() {
		for j := 0; j < m; j++ {
			ws.eta[j] = beta[0] + beta[j+1]
		}
	}
	return ridgeIRLS(sf, y, alpha, beta, tol, ws, linPred, func() bool {
		sw, b0, num, den := 0.0, 0.0, 0.0, 0.0
		for j := 0; j < m; j++ {
			mu := ws.mu[j]
			wj := mu / (1 + alpha*mu)
			bj := wj * (ws.eta[j] + (y[j]-mu)/mu)
			ws.w[j] = wj
			beta[j+1] = bj // b_j for now
			sw += wj
			b0 += bj
			num += wj * bj / (wj + l)
			den += wj * wj / (wj + l)
		}
		s := sw + l0 - den
		if !(s > 0) {
			return false
		}
		beta[0] = (b0 - num) / s
		for j := 0; j < m; j++ {
			wj := ws.w[j]
			beta[j+1] = (beta[j+1] - wj*beta[0]) / (wj + l)
		}
		return true
	})
}

// ShrinkInfo describes a normal-prior shrinkage fit.
type ShrinkInfo struct {
	// Coefficients names the model matrix columns of the shrunken fit
	// (expanded: one column per factor level) and BetaPriorVar their prior
	// variances (log2 scale; the intercept's is 1e6).
	Coefficients []string
	BetaPriorVar []float64
}

// LFCShrinkNormal is DESeq2's lfcShrink(type = "normal") after DESeq: the
// log2 fold change and lfcSE of DESeq's results are replaced by those of a
// refit with a zero-centred normal prior on the coefficients; baseMean,
// stat, pvalue and padj stay those of the unshrunken test, as lfcShrink
// returns them. The prior variance of each coefficient is the weighted
// upper-quantile match of its maximum likelihood estimates (|β| < 10, log2;
// weights 1/(1/baseMean + α_trend)). With a contrast {var, num, den} the
// refit uses DESeq2's expanded model matrix (a column for every level of
// every factor, each factor's columns sharing the mean of its prior
// variances, pairwise level differences included) and the contrast is
// num − den; without one, the standard model matrix and its last
// coefficient. IRLS as in DESeq: relative deviance change 1e-8 within 100
// iterations, starting from the intercept log mean normalised count (the
// expanded matrix is not of full rank).
//
// Deviation: rows whose IRLS does not converge keep the last iterate,
// where DESeq2 would refine them with optim. A cancelled ctx stops the fits
// between blocks of rows with an error matching ctx.Err() under errors.Is.
func LFCShrinkNormal(ctx context.Context, c *Counts, cd *ColData, o Options) (*Results, *ShrinkInfo, error) {
	if o.Test == TestLRT || o.Test == "LRT" {
		return nil, nil, fmt.Errorf("%w: normal shrinkage needs the Wald test", ErrDesign)
	}
	pl, err := newPipeline(ctx, c, cd, o)
	if err != nil {
		return nil, nil, err
	}
	if err := pl.run(); err != nil {
		return nil, nil, err
	}
	return pl.shrinkNormal()
}

// shrinkNormal refits the pipeline's rows with the normal prior, from its
// final dispersions, trend values and base means.
func (pl *pipeline) shrinkNormal() (*Results, *ShrinkInfo, error) {
	c, o := pl.c, pl.o
	r, d, m := pl.res, pl.d, pl.m
	var nz []int
	for i := 0; i < pl.n; i++ {
		if !pl.allZero[i] {
			nz = append(nz, i)
		}
	}
	// maximum likelihood coefficients (log2) of the final fits
	mle := make([]float64, len(nz)*d.p)
	gws := make([]*glmWork, pl.workers)
	for w := range gws {
		gws[w] = newGLMWork(m, d.p)
	}
	if err := pl.parallel(len(nz), func(w, k int) {
		i := nz[k]
		pl.full.fit(gws[w], pl.row(i), r.Dispersion[i])
		for a := 0; a < d.p; a++ {
			mle[k*d.p+a] = gws[w].beta[a] / math.Ln2
		}
	}); err != nil {
		return nil, nil, err
	}
	weights := make([]float64, len(nz))
	for k, i := range nz {
		weights[k] = 1 / (1/r.BaseMean[i] + r.DispFit[i])
	}
	priorOf := func(col func(k int) float64) float64 {
		if len(nz) == 1 {
			v := col(0)
			return v * v
		}
		var xs, ws []float64
		for k := range nz {
			if v := col(k); math.Abs(v) < 10 {
				xs = append(xs, v)
				ws = append(ws, weights[k])
			}
		}
		if len(xs) == 0 {
			return 1e6
		}
		return weightedUpperQuantileVar(xs, ws, 0.05)
	}
	stdVar := make([]float64, d.p)
	stdVar[0] = 1e6
	for a := 1; a < d.p; a++ {
		a := a
		stdVar[a] = priorOf(func(k int) float64 { return mle[k*d.p+a] })
	}
	info := &ShrinkInfo{}
	var x, cvec []float64
	var p int
	expanded := len(o.Contrast) == 3
	if !expanded {
		x, p, cvec = d.x, d.p, pl.cvec
		info.Coefficients = append([]string(nil), d.names...)
		info.BetaPriorVar = stdVar
	} else {
		info.Coefficients = []string{"Intercept"}
		info.BetaPriorVar = []float64{1e6}
		type col struct {
			t   *term
			lvl int // level index, or -1 for a numeric term
		}
		cols := []col{{nil, -1}}
		for ti := range d.terms {
			t := &d.terms[ti]
			if t.numeric {
				cols = append(cols, col{t, -1})
				info.Coefficients = append(info.Coefficients, t.name)
				info.BetaPriorVar = append(info.BetaPriorVar, stdVar[t.cols[0]])
				continue
			}
			// the factor's prior: mean over its coefficients and their
			// pairwise differences
			vars := make([]float64, 0, len(t.cols))
			for _, a := range t.cols {
				vars = append(vars, stdVar[a])
			}
			for u := 1; u < len(t.cols); u++ {
				for v := u; v < len(t.cols); v++ {
					au, bv := t.cols[v], t.cols[u-1]
					vars = append(vars, priorOf(func(k int) float64 { return mle[k*d.p+au] - mle[k*d.p+bv] }))
				}
			}
			mean := 0.0
			for _, v := range vars {
				mean += v
			}
			mean /= float64(len(vars))
			for l, name := range t.levels {
				cols = append(cols, col{t, l})
				info.Coefficients = append(info.Coefficients, t.name+name)
				info.BetaPriorVar = append(info.BetaPriorVar, mean)
			}
		}
		p = len(cols)
		x = make([]float64, m*p)
		cvec = make([]float64, p)
		for a, cl := range cols {
			for j := 0; j < m; j++ {
				switch {
				case cl.t == nil:
					x[j*p+a] = 1
				case cl.lvl < 0:
					x[j*p+a] = cl.t.nums[j]
				case cl.t.values[j] == cl.t.levels[cl.lvl]:
					x[j*p+a] = 1
				}
			}
			if cl.t != nil && cl.t.name == o.Contrast[0] && cl.lvl >= 0 {
				switch cl.t.levels[cl.lvl] {
				case o.Contrast[1]:
					cvec[a] = 1
				case o.Contrast[2]:
					cvec[a] = -1
				}
			}
		}
	}
	for a, v := range info.BetaPriorVar {
		if !(v > 0) {
			return nil, nil, fmt.Errorf("%w: prior variance of %s is %g", ErrDispersion, info.Coefficients[a], v)
		}
	}
	ln2sq := math.Ln2 * math.Ln2
	lambda := make([]float64, p)
	for a, v := range info.BetaPriorVar {
		lambda[a] = 1 / v / ln2sq
	}
	if !expanded {
		lambda[0] = ridgeLog2 / ln2sq
	}
	work := make([]*ridgeWork, pl.workers)
	betas := make([][]float64, pl.workers)
	for w := range work {
		work[w] = newRidgeWork(m, p)
		betas[w] = make([]float64, p)
	}
	if err := pl.parallel(len(nz), func(w, k int) {
		i := nz[k]
		y := c.Values[i*m : (i+1)*m]
		beta := betas[w]
		clear(beta)
		if expanded {
			s := 0.0
			for j, v := range y {
				s += v / pl.sf[j]
			}
			beta[0] = math.Log(s / float64(m))
		} else {
			for a := 0; a < p; a++ {
				s := 0.0
				for j := 0; j < m; j++ {
					s += pl.full.init[a*m+j] * math.Log(y[j]/pl.sf[j]+0.1)
				}
				beta[a] = s
			}
		}
		ws := work[w]
		ridgeFit(x, m, p, pl.sf, y, r.Dispersion[i], lambda, beta, glmBetaTol, ws)
		ridgeCov(x, m, p, r.Dispersion[i], lambda, ws)
		r.Log2FoldChange[i] = dot(cvec, beta) / math.Ln2
		r.LfcSE[i] = math.Sqrt(quadForm(ws.cov, cvec, p)) / math.Ln2
		if pl.zeroCont != nil && pl.zeroCont[i] {
			r.Log2FoldChange[i] = 0
		}
	}); err != nil {
		return nil, nil, err
	}
	return r, info, nil
}
