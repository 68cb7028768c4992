package diffexp

import (
	"context"
	"fmt"
	"math"
	"runtime"
)

var nan64 = math.NaN()

// Dispersion fit switches. Newton's method finds the maximum of the log
// posterior in about five evaluations where DESeq2's line search needs
// about twenty, and both agree closely where the maximum is sharp. Where
// it is flat (|ℓ″| < flatCurv at the maximum) DESeq2's line search stops
// measurably short of it, so those rows replay the line search; and where
// the start's derivative is below firstStepGrad its first step is replayed
// because DESeq2 stops right there when the rise is below 1e-6.
const (
	flatCurv      = 1.0
	firstStepGrad = 0.1
)

// Test is a DE test.
type Test string

// DE tests ("" means TestWald for DESeq, TestExact for EdgeR and TestQLF
// for EdgeRQL).
const (
	TestWald  Test = "wald"  // Wald test of the contrast
	TestLRT   Test = "lrt"   // likelihood-ratio test against the reduced model
	TestQLF   Test = "qlf"   // edgeR's quasi-likelihood F-test (EdgeRQL)
	TestExact Test = "exact" // edgeR's exact test (EdgeR)
)

// SizeFactorType is how DESeq-style size factors are estimated.
type SizeFactorType string

// Size factor types ("" means SizeFactorsRatio).
const (
	SizeFactorsRatio     SizeFactorType = "ratio"     // median of ratios
	SizeFactorsPoscounts SizeFactorType = "poscounts" // geometric means over positive counts
)

// Options control DESeq (and EdgeR where meaningful). The zero value means
// DESeq2's defaults.
type Options struct {
	// Design is the model formula, "~ condition" when empty; covariates
	// come first: "~ batch + condition".
	Design string
	// Contrast is {variable, numerator level, denominator level}, e.g.
	// {"condition", "tumor", "control"}. nil means the last design variable,
	// its last level against its reference (first level in sorted order,
	// like R factor levels).
	Contrast []string
	// Test is TestWald (default) or TestLRT for DESeq; EdgeR has only
	// TestExact and EdgeRQL only TestQLF (both also accept TestWald, their
	// default test). Case does not matter.
	Test Test
	// Reduced is the reduced formula for the LRT, "~ 1" when empty.
	Reduced string
	// Alpha is the significance level used by independent filtering (0.1
	// when zero).
	Alpha float64
	// SizeFactorType is SizeFactorsRatio (default) or SizeFactorsPoscounts.
	SizeFactorType SizeFactorType
	// SizeFactors, when non-nil, are used as given (one per sample).
	SizeFactors []float64
	// IndependentFiltering: nil means true.
	IndependentFiltering *bool
	// CooksCutoff: nil means DESeq2's default F(0.99, p, m−p) quantile; a
	// negative value turns Cook's distance flagging off.
	CooksCutoff *float64
	// MinReplicatesForReplace is the number of replicates a sample's group
	// needs for its outlier counts to be replaced and the row refitted
	// (0 means 7, DESeq2's default; a negative value turns replacing off).
	MinReplicatesForReplace int
	// Workers is the number of goroutines fitting rows; 0 means GOMAXPROCS.
	// Results do not depend on it.
	Workers int
}

// Results are per-feature differential expression results in input row
// order. NaN stands for R's NA.
type Results struct {
	Features []string
	// DESeq2's results() columns.
	BaseMean, Log2FoldChange, LfcSE, Stat, PValue, PAdj []float64
	// SizeFactors are per sample (for EdgeR: TMM norm factors × library
	// size scaled to geometric mean 1, see EdgeR).
	SizeFactors []float64
	// Dispersion estimates: gene-wise, trend, MAP and final (final = MAP,
	// or gene-wise for dispersion outliers).
	DispGeneEst, DispFit, DispMAP, Dispersion []float64
	// DispOutlier marks genes whose gene-wise estimate was kept.
	DispOutlier []bool
	// MaxCooks is the largest Cook's distance of the row (NaN if not computed).
	MaxCooks []float64
	// BetaConv reports IRLS convergence of the row's GLM fit.
	BetaConv []bool
	// Replaced marks rows whose outlier counts were replaced and refitted.
	Replaced []bool
	// Method is the pipeline: MethodDESeq2, MethodEdgeR or MethodEdgeRQL.
	Method Method
	// FitType is the dispersion trend actually used: FitParametric or
	// FitLocal (DESeq), FitLocfit (EdgeR, EdgeRQL).
	FitType FitType
	// AsymptDisp and ExtraPois are the parametric trend coefficients.
	AsymptDisp, ExtraPois float64
	// DispPriorVar is the prior variance of log dispersions used for MAP.
	DispPriorVar float64
	// FilterThreshold is the baseMean threshold of independent filtering
	// (NaN when not applied).
	FilterThreshold float64
	// Coefficients names the design matrix columns (R model.matrix style).
	Coefficients []string
	// LogCPM is edgeR's average log2 counts per million (EdgeR only).
	LogCPM []float64
	// CommonDispersion and PriorDF are edgeR's common dispersion and prior
	// degrees of freedom (EdgeR only).
	CommonDispersion, PriorDF float64
}

func newResults(n int) *Results {
	nan := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = nan64
		}
		return v
	}
	return &Results{
		BaseMean: nan(), Log2FoldChange: nan(), LfcSE: nan(), Stat: nan(), PValue: nan(), PAdj: nan(),
		DispGeneEst: nan(), DispFit: nan(), DispMAP: nan(), Dispersion: nan(), MaxCooks: nan(),
		DispOutlier: make([]bool, n), BetaConv: make([]bool, n), Replaced: make([]bool, n),
		Method: MethodDESeq2, FilterThreshold: nan64,
	}
}

// setWorkers sets the worker count (0 = GOMAXPROCS) and one dispersion
// workspace per worker.
func (pl *pipeline) setWorkers(workers int) {
	pl.workers = workers
	if pl.workers <= 0 {
		pl.workers = runtime.GOMAXPROCS(0)
	}
	pl.dws = make([]*dispWork, pl.workers)
	for w := range pl.dws {
		pl.dws[w] = newDispWork(pl.m, pl.d.p)
	}
}

// checkCounts checks that c is a non-empty m-column matrix of counts.
func checkCounts(c *Counts) error {
	if c == nil || len(c.Features) == 0 {
		return fmt.Errorf("%w: count matrix has no features", ErrEmpty)
	}
	m := len(c.Samples)
	if len(c.Values) != len(c.Features)*m {
		return fmt.Errorf("%w: %d values for %d × %d matrix", ErrRagged, len(c.Values), len(c.Features), m)
	}
	for i, v := range c.Values {
		if !isCount(v) {
			return fmt.Errorf("%w: %g (feature %q, sample %q)", ErrNotInteger, v, c.Features[i/m], c.Samples[i%m])
		}
	}
	return nil
}

// isCount reports whether v is an integer in 0..MaxCount.
func isCount(v float64) bool {
	return v >= 0 && v <= MaxCount && v == float64(int64(v))
}

// DESeq runs the DESeq2 pipeline on c with sample annotations cd (aligned to
// c's samples by name) and returns results for the contrast or test chosen
// in o, in c's row order. A cancelled ctx stops the fits between blocks
// of rows with an error matching ctx.Err() under errors.Is.
func DESeq(ctx context.Context, c *Counts, cd *ColData, o Options) (*Results, error) {
	pl, err := newPipeline(ctx, c, cd, o)
	if err != nil {
		return nil, err
	}
	if err := pl.run(); err != nil {
		return nil, err
	}
	return pl.res, nil
}

type pipeline struct {
	ctx      context.Context // checked between blocks of rows
	c        *Counts
	n, m     int
	o        Options
	d        *design
	full     *glmModel
	red      *glmModel // reduced model for the LRT
	dfLRT    int
	dm       *dispModel
	cvec     []float64
	cl       cells
	sf       []float64
	workers  int
	tr       *trend
	priorVar float64
	varLog   float64
	res      *Results
	// per row state
	yRep [][]float64 // per row: counts with outliers replaced, or nil
	mu   []float64   // n × m means of the dispersion stage (nil for linear-model means)
	// Cook's distances of the first fit, summarised per row as they are
	// computed (an n × m matrix of them costs more to touch than to use):
	cooksUse    []bool      // samples whose distances count for MaxCooks
	cooksMax    []float64   // per row: max over cooksUse samples
	cooksArg    []int32     // per row: first sample of the largest distance
	cooksOut    [][]float64 // per row: its distances when a replaceable sample exceeds the cutoff, else nil
	replaceable []bool      // per sample: cell large enough for outlier replacement
	anyReplace  bool
	cooksCut    float64
	refitting   bool // the refit of replaced rows keeps the first fit's distances
	needMax     bool // MaxCooks is reported (some sample counts for it)
	allZero     []bool
	zeroCont    []bool // all counts of both contrast groups are zero
	contrA      []bool // samples in the contrast's numerator or denominator
	dws         []*dispWork
	geState     []geNewton // per row: the gene-wise Newton fit's end state
	lrt         bool
	redDesign   *design
}

func newPipeline(ctx context.Context, c *Counts, cd *ColData, o Options) (*pipeline, error) {
	if err := cancelled(ctx); err != nil {
		return nil, err
	}
	if err := checkCounts(c); err != nil {
		return nil, err
	}
	m := len(c.Samples)
	if cd == nil {
		return nil, fmt.Errorf("%w: no coldata", ErrMissingSample)
	}
	cda, err := cd.Align(c.Samples)
	if err != nil {
		return nil, err
	}
	if o.Design == "" {
		o.Design = "~ condition"
	}
	if o.Alpha == 0 {
		o.Alpha = 0.1
	}
	if o.Alpha <= 0 || o.Alpha >= 1 {
		return nil, fmt.Errorf("%w: alpha %g not in (0, 1)", ErrDesign, o.Alpha)
	}
	switch o.Test {
	case "", "wald", "Wald":
		o.Test = TestWald
	case "lrt", "LRT":
		o.Test = TestLRT
	default:
		return nil, fmt.Errorf("%w: unknown test %q (wald, lrt)", ErrDesign, o.Test)
	}
	cvar := ""
	if len(o.Contrast) > 0 {
		cvar = o.Contrast[0]
	}
	d, err := buildDesign(o.Design, cda, cvar)
	if err != nil {
		return nil, err
	}
	if m <= d.p {
		return nil, fmt.Errorf("%w: %d samples for %d coefficients; dispersion needs replicates", ErrTooFewReplicates, m, d.p)
	}
	cvec, err := d.contrastVector(o.Contrast)
	if err != nil {
		return nil, err
	}
	pl := &pipeline{ctx: ctx, c: c, n: len(c.Features), m: m, o: o, d: d, cvec: cvec, lrt: o.Test == TestLRT}
	// samples of the contrast groups (for the all-zero rule)
	if len(o.Contrast) == 3 {
		t := d.term(o.Contrast[0])
		pl.contrA = make([]bool, m)
		n1, n2 := 0, 0
		for j, v := range t.values {
			if v == o.Contrast[1] {
				n1++
				pl.contrA[j] = true
			}
			if v == o.Contrast[2] {
				n2++
				pl.contrA[j] = true
			}
		}
		if n1 == 0 || n2 == 0 {
			return nil, fmt.Errorf("%w: a contrast level has no samples", ErrContrast)
		}
	}
	if pl.lrt {
		if o.Reduced == "" {
			o.Reduced = "~ 1"
			pl.o.Reduced = o.Reduced
		}
		rd, err := buildDesign(o.Reduced, cda, cvar)
		if err != nil {
			return nil, fmt.Errorf("reduced design: %w", err)
		}
		for _, t := range rd.terms {
			if d.term(t.name) == nil {
				return nil, fmt.Errorf("%w: reduced term %q is not in the full design", ErrDesign, t.name)
			}
		}
		pl.dfLRT = d.p - rd.p
		if pl.dfLRT <= 0 {
			return nil, fmt.Errorf("%w: reduced design %q must have fewer coefficients than %q", ErrDesign, o.Reduced, o.Design)
		}
		pl.red = &glmModel{x: rd.x, m: m, p: rd.p}
		pl.redDesign = rd
	}
	// size factors
	switch {
	case o.SizeFactors != nil:
		if len(o.SizeFactors) != m {
			return nil, fmt.Errorf("%w: %d size factors for %d samples", ErrSizeFactors, len(o.SizeFactors), m)
		}
		for _, s := range o.SizeFactors {
			if !(s > 0) || math.IsInf(s, 0) {
				return nil, fmt.Errorf("%w: size factor %g", ErrSizeFactors, s)
			}
		}
		pl.sf = append([]float64(nil), o.SizeFactors...)
	default:
		sf, err := SizeFactors(c, o.SizeFactorType)
		if err != nil {
			return nil, err
		}
		pl.sf = sf
	}
	pl.full = newGLMModel(d.x, m, d.p, pl.sf)
	pl.full.needDev = pl.lrt
	if pl.red != nil {
		pl.red = newGLMModel(pl.redDesign.x, m, pl.redDesign.p, pl.sf)
		pl.red.needDev = true
	}
	pl.dm = newDispModel(pl.full)
	pl.cl = designCells(d.x, m, d.p)
	pl.setWorkers(o.Workers)
	return pl, nil
}

// parallel calls fn(worker, i) for i in [0, n) on the pipeline's workers.
// Each i is handled by exactly one call, so results written per row do not
// depend on scheduling. It returns the wrapped pl.ctx.Err() when the
// context was cancelled, some rows then not done.
func (pl *pipeline) parallel(n int, fn func(w, i int)) error {
	return forRows(pl.ctx, n, pl.workers, 16, func(w, lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(w, i)
		}
	})
}

// row returns the counts of row i used for fitting: the input, or its copy
// with outliers replaced.
func (pl *pipeline) row(i int) []float64 {
	if r := pl.yRep[i]; r != nil {
		return r
	}
	return pl.c.Values[i*pl.m : (i+1)*pl.m]
}

// baseMean sets the row's mean normalised count and all-zero flag.
func (pl *pipeline) baseMean(i int) {
	y := pl.row(i)
	s := 0.0
	for j, v := range y {
		s += v / pl.sf[j]
	}
	pl.res.BaseMean[i] = s / float64(pl.m)
	pl.allZero[i] = s == 0
}

// geneEst estimates the gene-wise dispersion of row i.
func (pl *pipeline) geneEst(w, i int) {
	ws := pl.dws[w]
	y := pl.row(i)
	a0 := pl.dm.initialDisp(y, ws)
	pl.dm.rowMu(y, a0, ws)
	if pl.mu != nil {
		copy(pl.mu[i*pl.m:(i+1)*pl.m], ws.mu)
	}
	la0 := math.Log(a0)
	pl.geState[i] = geNewton{}
	lp0, g0, h0 := pl.dm.derivs(y, ws.mu, la0, 0, 0, true, ws)
	var la, lp float64
	iter := 0
	first := false
	// DESeq2 keeps a0 when the fit raises the likelihood by less than
	// |lp0|·1e-6: decided at once when the rise Newton's method predicts,
	// ℓ′²/2|ℓ″|, is ten times smaller (and large enough that DESeq2's line
	// search does not stop after its first step)
	if rise := g0 * g0 / (-2 * h0); h0 < 0 && rise > 1e-5 && 10*rise < math.Abs(lp0)/1e6 {
		pl.geState[i] = geNewton{ok: true, la: la0, lp: lp0, g: g0, h: h0}
		pl.res.DispGeneEst[i] = a0
		return
	}
	if math.Abs(g0) < firstStepGrad {
		// DESeq2's line search may stop after its first step here
		var rise float64
		var halvings int
		la, rise, halvings = pl.dm.firstStep(y, ws.mu, la0, lp0, g0, 0, 0, ws)
		if rise < lsTol {
			first = true
			lp = lp0 + rise
			if halvings == 0 {
				// one iteration: DESeq2 deems the fit unconverged and
				// its grid search follows (when the estimate > 1e-7)
				iter = nwMaxIter + 1
			}
		}
	}
	if !first {
		la, iter, lp = pl.dm.newtonFrom(y, ws.mu, la0, lp0, g0, h0, 0, 0, ws)
		pl.geState[i] = geNewton{ok: ws.lastInterior && iter <= nwMaxIter, la: la, lp: lp, g: ws.lastG, h: ws.lastH}
		if iter > nwMaxIter || ws.lastH > -flatCurv {
			pl.geState[i].ok = false
			la, iter, lp0, lp = pl.dm.lineSearch(y, ws.mu, la0, 0, 0, ws)
			if iter == 1 || iter >= lsMaxIter {
				iter = nwMaxIter + 1
			} else {
				iter = 0
			}
		}
	}
	est := math.Min(math.Exp(la), pl.dm.maxDisp)
	// no real increase of the likelihood: keep the starting value
	if lp < lp0+math.Abs(lp0)/1e6 {
		est = a0
		// the MAP fit can start from the derivatives at a0
		pl.geState[i] = geNewton{ok: true, la: la0, lp: lp0, g: g0, h: h0}
	} else if est != math.Exp(la) || est < minDisp {
		pl.geState[i].ok = false
	}
	// no convergence: DESeq2's grid search
	if iter > nwMaxIter && est > 10*minDisp {
		est = math.Exp(pl.dm.gridSearch(y, ws.mu, 0, 0, ws))
		pl.geState[i].ok = false
	}
	pl.res.DispGeneEst[i] = math.Min(math.Max(est, minDisp), pl.dm.maxDisp)
}

// geNewton is where a gene-wise Newton fit ended: log α, the log
// likelihood and its first two derivatives there; ok when it converged
// to an interior point that became the gene-wise estimate.
type geNewton struct {
	ok           bool
	la, lp, g, h float64
}

// mapEst computes the MAP dispersion of row i and the final dispersion.
func (pl *pipeline) mapEst(w, i int) {
	ws := pl.dws[w]
	y := pl.row(i)
	fit := pl.tr.at(pl.res.BaseMean[i])
	pl.res.DispFit[i] = fit
	var mu []float64
	if pl.mu != nil {
		mu = pl.mu[i*pl.m : (i+1)*pl.m]
	} else {
		// linear-model means: recomputed rather than stored
		pl.dm.rowMu(y, 0, ws)
		mu = ws.mu
	}
	ge := pl.res.DispGeneEst[i]
	start := fit
	if ge > 0.1*fit {
		start = ge
	}
	var la float64
	var iter int
	if st := pl.geState[i]; start == ge && st.ok {
		// Newton from the gene-wise optimum, whose log likelihood and
		// derivatives the gene-wise fit left: only the prior is added
		a, pm, pv := math.Log(start), math.Log(fit), pl.priorVar
		dd := a - pm
		la, iter, _ = pl.dm.newtonFrom(y, mu, a, st.lp-dd*dd/(2*pv), st.g-dd/pv, st.h-1/pv, pm, pv, ws)
	} else {
		la, iter, _, _ = pl.dm.newton(y, mu, math.Log(start), math.Log(fit), pl.priorVar, ws)
	}
	if iter > nwMaxIter || ws.lastH > -flatCurv {
		la, iter, _, _ = pl.dm.lineSearch(y, mu, math.Log(start), math.Log(fit), pl.priorVar, ws)
		if iter >= lsMaxIter {
			iter = nwMaxIter + 1
		}
	}
	if iter > nwMaxIter {
		la = pl.dm.gridSearch(y, mu, math.Log(fit), pl.priorVar, ws)
	}
	mp := math.Min(math.Max(math.Exp(la), minDisp), pl.dm.maxDisp)
	pl.res.DispMAP[i] = mp
	out := math.Log(ge) > math.Log(fit)+outlierSD*math.Sqrt(pl.varLog)
	pl.res.DispOutlier[i] = out
	if out {
		pl.res.Dispersion[i] = ge
	} else {
		pl.res.Dispersion[i] = mp
	}
}

// fitTest fits the GLM of row i with its final dispersion and computes the
// test statistics and Cook's distances.
func (pl *pipeline) fitTest(w, i int) {
	ws := pl.dws[w].glm
	y := pl.row(i)
	alpha := pl.res.Dispersion[i]
	r := pl.res
	r.BetaConv[i] = pl.full.fit(ws, y, alpha)
	lfc, se, stat, pv := waldTest(ws.beta[:pl.d.p], ws.cov[:pl.d.p*pl.d.p], pl.cvec)
	r.Log2FoldChange[i], r.LfcSE[i] = lfc, se
	if pl.lrt {
		devFull := ws.dev
		// Cook's distances need the full fit's means and hat values.
		pl.cooksRow(w, i, y, ws)
		pl.red.fit(ws, y, alpha)
		stat = ws.dev - devFull
		pv = lrtPValue(stat, pl.dfLRT)
	} else {
		pl.cooksRow(w, i, y, ws)
	}
	r.Stat[i], r.PValue[i] = stat, pv
	if pl.zeroCont != nil && pl.zeroCont[i] && !pl.lrt {
		// both contrast groups are all zero: DESeq2 reports LFC 0
		r.Log2FoldChange[i], r.Stat[i], r.PValue[i] = 0, 0, 1
	}
}

func (pl *pipeline) cooksRow(w, i int, y []float64, ws *glmWork) {
	if pl.refitting || !(pl.needMax || pl.anyReplace) {
		return
	}
	dw := pl.dws[w]
	if !pl.needMax && !pl.cooksMayExceed(y, ws) {
		return
	}
	norm := dw.norm
	for j := range norm {
		norm[j] = y[j] / pl.sf[j]
	}
	a := robustDisp(norm, pl.cl, dw.buf, dw.buf2)
	c := dw.buf[:pl.m]
	cooksDistances(c, y, ws.muRaw, ws.hat, a, pl.d.p)
	mx := math.Inf(-1)
	jmax, best := 0, math.Inf(-1)
	out := false
	for j, v := range c {
		if pl.cooksUse[j] {
			mx = math.Max(mx, v)
		}
		if v > best {
			jmax, best = j, v
		}
		out = out || (pl.replaceable[j] && v > pl.cooksCut)
	}
	pl.cooksMax[i], pl.cooksArg[i] = mx, int32(jmax)
	if out {
		pl.cooksOut[i] = append([]float64(nil), c...)
	}
}

// cooksMayExceed reports whether a replaceable sample of the row may have
// a Cook's distance above the cutoff. It bounds each distance from above
// with the smallest dispersion robustDisp can return (0.04: the variance
// is smallest, the distance largest; rounding is monotone), so a row it
// clears needs no robust dispersion, which is most of the cost of Cook's
// distances on large cells.
func (pl *pipeline) cooksMayExceed(y []float64, ws *glmWork) bool {
	p := float64(pl.d.p)
	for j, ok := range pl.replaceable {
		if !ok {
			continue
		}
		mu, h := ws.muRaw[j], ws.hat[j]
		v := mu + minRobustDisp*mu*mu
		r := (y[j] - mu) * (y[j] - mu) / v
		if b := r / p * h / ((1 - h) * (1 - h)); !(b*(1+1e-9) <= pl.cooksCut) {
			return true
		}
	}
	return false
}

func (pl *pipeline) run() error {
	n, m := pl.n, pl.m
	pl.res = newResults(n)
	r := pl.res
	r.Features = append([]string(nil), pl.c.Features...)
	r.SizeFactors = pl.sf
	r.Coefficients = append([]string(nil), pl.d.names...)
	pl.yRep = make([][]float64, n)
	if !pl.dm.linearMu {
		pl.mu = make([]float64, n*m)
	}
	pl.geState = make([]geNewton, n)
	pl.cooksMax = make([]float64, n)
	pl.cooksArg = make([]int32, n)
	pl.cooksOut = make([][]float64, n)
	pl.replaceable = pl.replaceableSamples()
	for _, b := range pl.replaceable {
		pl.anyReplace = pl.anyReplace || b
	}
	pl.cooksCut = pl.cooksCutoff()
	three := pl.cl.nOrMore(3)
	pl.cooksUse = make([]bool, m)
	for j := range pl.cooksUse {
		pl.cooksUse[j] = three[j] && !(pl.anyReplace && pl.replaceable[j])
	}
	anyUse := false
	for _, u := range pl.cooksUse {
		anyUse = anyUse || u
	}
	pl.needMax = m > pl.d.p && anyUse
	pl.allZero = make([]bool, n)
	for i := 0; i < n; i++ {
		pl.baseMean(i)
	}
	nz := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if !pl.allZero[i] {
			nz = append(nz, i)
		}
	}
	if len(nz) == 0 {
		return fmt.Errorf("%w: every feature has zero counts in all samples", ErrEmpty)
	}
	pl.markZeroContrast()
	// 1. gene-wise dispersions
	if err := pl.parallel(len(nz), func(w, k int) { pl.geneEst(w, nz[k]) }); err != nil {
		return err
	}
	// 2. trend
	if err := pl.fitTrend(nz); err != nil {
		return err
	}
	// 3. MAP, then 4. GLM, test, Cook's (per row, one pass)
	if err := pl.parallel(len(nz), func(w, k int) {
		pl.mapEst(w, nz[k])
		pl.fitTest(w, nz[k])
	}); err != nil {
		return err
	}
	// 5. outlier replacement and refit
	if pl.anyReplace {
		if err := pl.replaceAndRefit(); err != nil {
			return err
		}
	}
	// 6. Cook's flagging
	pl.flagCooks()
	// 7. independent filtering and BH
	pl.adjust()
	return nil
}

// markZeroContrast flags rows whose counts are zero in every sample of
// both contrast groups.
func (pl *pipeline) markZeroContrast() {
	if pl.contrA == nil {
		return
	}
	pl.zeroCont = make([]bool, pl.n)
	for i := 0; i < pl.n; i++ {
		z := true
		for j, v := range pl.row(i) {
			if pl.contrA[j] && v != 0 {
				z = false
				break
			}
		}
		pl.zeroCont[i] = z
	}
}

// fitTrend fits the dispersion trend and the prior variance.
func (pl *pipeline) fitTrend(nz []int) error {
	r := pl.res
	var means, disps []float64
	allLow := true
	for _, i := range nz {
		g := r.DispGeneEst[i]
		if g >= 10*minDisp {
			allLow = false
		}
		if g >= 100*minDisp {
			means = append(means, r.BaseMean[i])
			disps = append(disps, g)
		}
	}
	if allLow || len(means) == 0 {
		return fmt.Errorf("%w: all gene-wise dispersion estimates are within 2 orders of magnitude of the minimum (%g); the data show no overdispersion to model", ErrDispersion, minDisp)
	}
	a0, a1, err := fitParametricTrend(means, disps)
	if err == nil {
		pl.tr = &trend{typ: FitParametric, asympt: a0, extraPois: a1}
		r.AsymptDisp, r.ExtraPois = a0, a1
	} else {
		pl.tr, err = fitLocalTrend(means, disps)
		if err != nil {
			return err
		}
		r.AsymptDisp, r.ExtraPois = math.NaN(), math.NaN()
	}
	r.FitType = pl.tr.typ
	// prior variance of log dispersions around the trend
	var resid []float64
	for _, i := range nz {
		g := r.DispGeneEst[i]
		if g >= 100*minDisp {
			resid = append(resid, math.Log(g)-math.Log(pl.tr.at(r.BaseMean[i])))
		}
	}
	md := mad(resid)
	pl.varLog = md * md
	df := float64(pl.m - pl.d.p)
	exp := trigammaFast(df / 2)
	pl.priorVar = math.Max(pl.varLog-exp, 0.25)
	r.DispPriorVar = pl.priorVar
	return nil
}

// replaceableSamples reports per sample whether its cell has enough
// replicates for outlier replacement.
func (pl *pipeline) replaceableSamples() []bool {
	minRep := pl.o.MinReplicatesForReplace
	if minRep == 0 {
		minRep = 7
	}
	if minRep < 0 {
		return make([]bool, pl.m)
	}
	return pl.cl.nOrMore(minRep)
}

func (pl *pipeline) cooksCutoff() float64 {
	return fQuantile99(pl.d.p, pl.m)
}

// replaceAndRefit replaces counts with Cook's distance above the cutoff in
// replaceable samples by the row's 20%-trimmed mean normalised count times
// the sample's size factor, then refits those rows with the existing
// trend and prior.
func (pl *pipeline) replaceAndRefit() error {
	m := pl.m
	var refit []int
	norm := make([]float64, m)
	buf := make([]float64, m)
	for i := 0; i < pl.n; i++ {
		cooks := pl.cooksOut[i]
		if pl.allZero[i] || cooks == nil {
			continue
		}
		var y []float64
		replaced := false
		for j := 0; j < m; j++ {
			if pl.replaceable[j] && cooks[j] > pl.cooksCut {
				if !replaced {
					for k := range norm {
						norm[k] = pl.c.Values[i*m+k] / pl.sf[k]
					}
					y = append([]float64(nil), pl.c.Values[i*m:(i+1)*m]...)
					pl.yRep[i] = y
				}
				tm := trimmedMean(norm, 0.2, buf)
				y[j] = math.Trunc(tm * pl.sf[j])
				replaced = true
			}
		}
		if replaced {
			pl.res.Replaced[i] = true
			pl.baseMean(i)
			if !pl.allZero[i] {
				refit = append(refit, i)
			} else {
				for _, col := range [][]float64{pl.res.Log2FoldChange, pl.res.LfcSE, pl.res.Stat, pl.res.PValue} {
					col[i] = math.NaN()
				}
			}
		}
	}
	if len(refit) == 0 {
		return nil
	}
	// DESeq2 keeps the Cook's distances of the original fit.
	pl.refitting = true
	err := pl.parallel(len(refit), func(w, k int) {
		i := refit[k]
		pl.geneEst(w, i)
		pl.mapEst(w, i)
		pl.fitTest(w, i)
	})
	pl.refitting = false
	return err
}

// flagCooks records each row's maximum Cook's distance over samples in
// cells with ≥ 3 replicates (ignoring replaceable samples when outliers
// were replaced) and sets the p-value of rows above the cutoff to NA,
// unless three or more counts exceed the outlying count.
func (pl *pipeline) flagCooks() {
	m := pl.m
	if !pl.needMax {
		return
	}
	for i, z := range pl.allZero {
		if !z {
			pl.res.MaxCooks[i] = pl.cooksMax[i]
		}
	}
	if pl.o.CooksCutoff != nil && *pl.o.CooksCutoff < 0 {
		return
	}
	cut := pl.cooksCutoff()
	if pl.o.CooksCutoff != nil {
		cut = *pl.o.CooksCutoff
	}
	for i := 0; i < pl.n; i++ {
		if !(pl.res.MaxCooks[i] > cut) {
			continue
		}
		// the sample with the largest Cook's distance (over all samples)
		out := pl.c.Values[i*m+int(pl.cooksArg[i])]
		larger := 0
		for j := 0; j < m; j++ {
			if pl.c.Values[i*m+j] > out {
				larger++
			}
		}
		if larger >= 3 {
			continue
		}
		pl.res.PValue[i] = math.NaN()
	}
}

// adjust applies independent filtering (unless disabled) and BH.
func (pl *pipeline) adjust() {
	r := pl.res
	indep := pl.o.IndependentFiltering == nil || *pl.o.IndependentFiltering
	if !indep {
		r.PAdj = AdjustBH(r.PValue)
		return
	}
	anyP := false
	for _, v := range r.PValue {
		anyP = anyP || !math.IsNaN(v)
	}
	if !anyP {
		return
	}
	r.PAdj, r.FilterThreshold = independentFilter(r.BaseMean, r.PValue, pl.o.Alpha)
}
