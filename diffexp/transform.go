package diffexp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// TransformOptions control VST and RLog. The zero value means DESeq2's
// defaults except Blind (see there).
type TransformOptions struct {
	// Blind: nil or true estimates the dispersion trend with design ~ 1
	// (DESeq2's default blind = TRUE); false uses Design.
	Blind *bool
	// Design is the formula used when Blind is false ("~ condition" when
	// empty).
	Design string
	// FitType is the dispersion trend: FitParametric ("" = default),
	// FitLocal or FitMean. A parametric fit that fails falls back to local,
	// as in DESeq2.
	FitType FitType
	// SizeFactorType is SizeFactorsRatio (default) or SizeFactorsPoscounts.
	SizeFactorType SizeFactorType
	// Workers is the number of goroutines; 0 means GOMAXPROCS. Results do
	// not depend on it.
	Workers int
}

// Transformed is a transformed count matrix (log2 scale), same shape and
// order as the input counts.
type Transformed struct {
	Features, Samples []string
	// Values is row-major: Values[i*len(Samples)+j].
	Values []float64
	// SizeFactors are per sample.
	SizeFactors []float64
	// FitType is the dispersion trend used: FitParametric, FitLocal or
	// FitMean.
	FitType FitType
	// AsymptDisp and ExtraPois are the parametric trend's coefficients
	// (NaN otherwise); MeanDisp is the "mean" trend's value (NaN otherwise).
	AsymptDisp, ExtraPois, MeanDisp float64
	// BetaPriorVar is rlog's prior variance of the per-sample log2 fold
	// changes (NaN for VST).
	BetaPriorVar float64
}

// trendStage runs DESeq2's estimateSizeFactors, estimateDispersionsGeneEst
// and estimateDispersionsFit(fitType) for the transforms: res holds
// baseMean, gene-wise dispersions and DispFit (the trend at baseMean) of
// the rows that are not all zero.
func trendStage(ctx context.Context, c *Counts, cd *ColData, o TransformOptions) (*pipeline, error) {
	if err := cancelled(ctx); err != nil {
		return nil, err
	}
	if err := checkCounts(c); err != nil {
		return nil, err
	}
	m := len(c.Samples)
	blind := o.Blind == nil || *o.Blind
	formula := o.Design
	if formula == "" {
		formula = "~ condition"
	}
	if blind {
		formula = "~ 1"
	}
	var cda *ColData
	if blind && cd == nil {
		cda = &ColData{Samples: append([]string(nil), c.Samples...)}
	} else {
		if cd == nil {
			return nil, fmt.Errorf("%w: no coldata", ErrMissingSample)
		}
		var err error
		if cda, err = cd.Align(c.Samples); err != nil {
			return nil, err
		}
	}
	d, err := buildDesign(formula, cda, "")
	if err != nil {
		return nil, err
	}
	if m <= d.p {
		return nil, fmt.Errorf("%w: %d samples for %d coefficients; dispersion needs replicates", ErrTooFewReplicates, m, d.p)
	}
	switch o.FitType {
	case "", FitParametric, FitLocal, FitMean:
	default:
		return nil, fmt.Errorf("%w: unknown fit type %q (parametric, local, mean)", ErrDesign, o.FitType)
	}
	sf, err := SizeFactors(c, o.SizeFactorType)
	if err != nil {
		return nil, err
	}
	pl := &pipeline{ctx: ctx, c: c, n: len(c.Features), m: m, o: Options{Design: formula, Workers: o.Workers}, d: d, sf: sf}
	pl.full = newGLMModel(d.x, m, d.p, sf)
	pl.dm = newDispModel(pl.full)
	pl.cl = designCells(d.x, m, d.p)
	pl.setWorkers(o.Workers)
	n := pl.n
	pl.res = newResults(n)
	pl.res.Features = append([]string(nil), c.Features...)
	pl.res.SizeFactors = sf
	pl.yRep = make([][]float64, n)
	if !pl.dm.linearMu {
		pl.mu = make([]float64, n*m)
	}
	pl.geState = make([]geNewton, n)
	pl.allZero = make([]bool, n)
	var nz []int
	for i := 0; i < n; i++ {
		pl.baseMean(i)
		if !pl.allZero[i] {
			nz = append(nz, i)
		}
	}
	if len(nz) == 0 {
		return nil, fmt.Errorf("%w: every feature has zero counts in all samples", ErrEmpty)
	}
	// Gene-wise estimates: the parametric and mean trends are global fits,
	// which the maxima of the likelihood (geneEst, fast) move by ~1e-5
	// only (vst within 1e-4 of DESeq2's); the local trend follows each
	// neighbourhood's estimates, so it gets DESeq2's own line search
	// (geneEstReplay, ~5× slower), also when the parametric fit fails and
	// falls back to it.
	replay := o.FitType == FitLocal
	if err := pl.geneEstRows(nz, replay); err != nil {
		return nil, err
	}
	if err := pl.fitTrendType(nz, o.FitType); err != nil {
		return nil, err
	}
	if pl.tr.typ == FitLocal && !replay {
		if err := pl.geneEstRows(nz, true); err != nil {
			return nil, err
		}
		if err := pl.fitTrendType(nz, FitLocal); err != nil {
			return nil, err
		}
	}
	for _, i := range nz {
		pl.res.DispFit[i] = pl.tr.at(pl.res.BaseMean[i])
	}
	return pl, nil
}

// fitTrendType fits the dispersion trend of the given type on the rows nz
// (gene-wise estimates ≥ 100 × minDisp), as estimateDispersionsFit.
func (pl *pipeline) fitTrendType(nz []int, fitType FitType) error {
	r := pl.res
	var means, disps []float64
	for _, i := range nz {
		if g := r.DispGeneEst[i]; g > 100*minDisp {
			means = append(means, r.BaseMean[i])
			disps = append(disps, g)
		}
	}
	if len(means) == 0 {
		return fmt.Errorf("%w: all gene-wise dispersion estimates are within 2 orders of magnitude of the minimum (%g); the data show no overdispersion to model", ErrDispersion, minDisp)
	}
	r.AsymptDisp, r.ExtraPois = math.NaN(), math.NaN()
	if fitType == "" || fitType == FitParametric {
		a0, a1, err := fitParametricTrend(means, disps)
		if err == nil {
			pl.tr = &trend{typ: FitParametric, asympt: a0, extraPois: a1}
			r.AsymptDisp, r.ExtraPois = a0, a1
			r.FitType = FitParametric
			return nil
		}
		fitType = FitLocal
	}
	if fitType == FitMean {
		var use []float64
		for _, i := range nz {
			if g := r.DispGeneEst[i]; g > 10*minDisp {
				use = append(use, g)
			}
		}
		pl.tr = &trend{typ: FitMean, asympt: trimmedMeanR(use, 0.001)}
		r.FitType = FitMean
		return nil
	}
	var err error
	if pl.tr, err = fitLocalTrend(means, disps); err != nil {
		return err
	}
	r.FitType = FitLocal
	return nil
}

// trimmedMeanR is R's mean(x, trim): the mean after dropping
// floor(n·trim) values from each end of the sorted x.
func trimmedMeanR(x []float64, trim float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	lo := int(math.Floor(float64(len(s)) * trim))
	s = s[lo : len(s)-lo]
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return sum / float64(len(s))
}

func newTransformed(pl *pipeline) *Transformed {
	r := pl.res
	t := &Transformed{
		Features: append([]string(nil), pl.c.Features...), Samples: append([]string(nil), pl.c.Samples...),
		Values: make([]float64, len(pl.c.Values)), SizeFactors: append([]float64(nil), pl.sf...),
		FitType: r.FitType, AsymptDisp: r.AsymptDisp, ExtraPois: r.ExtraPois, MeanDisp: math.NaN(), BetaPriorVar: math.NaN(),
	}
	if pl.tr.typ == FitMean {
		t.MeanDisp = pl.tr.asympt
	}
	return t
}

// VST is DESeq2's varianceStabilizingTransformation: the dispersion trend
// α(μ) is estimated (blind: design ~ 1) and every normalised count q is
// mapped by the integral of 1/sqrt(μ + α(μ)μ²):
//
//	parametric α = a0 + a1/μ:  log2((1 + a1 + 2a0q + 2 sqrt(a0q(1 + a1 + a0q))) / (4a0))
//	mean α:                    (2 asinh(sqrt(αq)) − log α − log 4) / log 2
//	local:                     numeric integration on DESeq2's 999-point asinh grid with
//	                           the sample variance term mean(1/s_j)·μ, an interpolating
//	                           cubic spline (R's splinefun "fmm") in asinh(q), scaled to
//	                           match log2 at the 95% and 99.9% quantiles of the row means
//
// A cancelled ctx stops the fits between blocks of rows with an error
// matching ctx.Err() under errors.Is.
func VST(ctx context.Context, c *Counts, cd *ColData, o TransformOptions) (*Transformed, error) {
	pl, err := trendStage(ctx, c, cd, o)
	if err != nil {
		return nil, err
	}
	return vstFromTrend(pl)
}

// vstFromTrend transforms the counts with the pipeline's trend pl.tr.
func vstFromTrend(pl *pipeline) (*Transformed, error) {
	c := pl.c
	t := newTransformed(pl)
	m := pl.m
	nc := make([]float64, len(c.Values))
	for k, v := range c.Values {
		nc[k] = v / pl.sf[k%m]
	}
	var err error
	switch pl.tr.typ {
	case FitParametric:
		a0, a1 := pl.tr.asympt, pl.tr.extraPois
		err = pl.parallel(pl.n, func(_, i int) {
			for k := i * m; k < (i+1)*m; k++ {
				q := nc[k]
				t.Values[k] = math.Log((1+a1+2*a0*q+2*math.Sqrt(a0*q*(1+a1+a0*q)))/(4*a0)) / math.Ln2
			}
		})
	case FitMean:
		a := pl.tr.asympt
		err = pl.parallel(pl.n, func(_, i int) {
			for k := i * m; k < (i+1)*m; k++ {
				t.Values[k] = (2*math.Asinh(math.Sqrt(a*nc[k])) - math.Log(a) - math.Log(4)) / math.Ln2
			}
		})
	default:
		err = vstNumeric(pl, nc, pl.tr.at, t.Values)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// vstGridN is the number of points of DESeq2's integration grid (the
// first, 0, is dropped).
const vstGridN = 1000

// vstGrid returns DESeq2's grid sinh(seq(0, asinh(max), length 1000))[-1].
func vstGrid(maxCount float64) []float64 {
	hi := math.Asinh(maxCount)
	xg := make([]float64, vstGridN-1)
	for k := 1; k < vstGridN; k++ {
		v := hi * float64(k) / float64(vstGridN-1)
		if k == vstGridN-1 {
			v = hi
		}
		xg[k-1] = math.Sinh(v)
	}
	return xg
}

// vstNumeric fills out with the numerically integrated VST of the
// normalised counts nc (row-major n × m) for the dispersion function disp.
func vstNumeric(pl *pipeline, nc []float64, disp func(float64) float64, out []float64) error {
	m := pl.m
	sp, eta, xi := vstLocalFn(pl, nc, disp)
	return pl.parallel(pl.n, func(_, i int) {
		for k := i * m; k < (i+1)*m; k++ {
			out[k] = eta*sp.at(math.Asinh(nc[k])) + xi
		}
	})
}

// vstLocalFn returns the numerically integrated VST as a spline in
// asinh(q) and its affine scaling: vst(q) = eta·sp(asinh q) + xi.
func vstLocalFn(pl *pipeline, nc []float64, disp func(float64) float64) (sp *splineFn, eta, xi float64) {
	m := pl.m
	maxC := 0.0
	for _, v := range nc {
		maxC = math.Max(maxC, v)
	}
	xim := 0.0
	for _, s := range pl.sf {
		xim += 1 / s
	}
	xim /= float64(m)
	xg := vstGrid(maxC)
	integ := make([]float64, len(xg))
	for k, x := range xg {
		integ[k] = 1 / math.Sqrt(disp(x)*x*x+xim*x)
	}
	// trapezoid rule, knots at the asinh of interval midpoints
	kx := make([]float64, len(xg)-1)
	ky := make([]float64, len(xg)-1)
	cum := 0.0
	for k := range kx {
		kx[k] = math.Asinh((xg[k+1] + xg[k]) / 2)
		cum += (xg[k+1] - xg[k]) * (integ[k+1] + integ[k]) / 2
		ky[k] = cum
	}
	sp = newFMMSpline(kx, ky)
	rm := make([]float64, pl.n)
	for i := range rm {
		s := 0.0
		for _, v := range nc[i*m : (i+1)*m] {
			s += v
		}
		rm[i] = s / float64(m)
	}
	sort.Float64s(rm)
	h1, h2 := quantileR7(rm, 0.95), quantileR7(rm, 0.999)
	f1, f2 := sp.at(math.Asinh(h1)), sp.at(math.Asinh(h2))
	eta = (math.Log2(h2) - math.Log2(h1)) / (f2 - f1)
	xi = math.Log2(h1) - eta*f1
	return sp, eta, xi
}

// splineFn is an interpolating cubic spline with Forsythe, Malcolm and
// Moler's end conditions (fmmSpline), R's splinefun default; outside the
// knots the end pieces are extended, as R evaluates it.
type splineFn struct {
	x, y, b, c, d []float64
}

func newFMMSpline(x, y []float64) *splineFn {
	b, c, d := fmmSpline(x, y)
	return &splineFn{x: x, y: y, b: b, c: c, d: d}
}

// at evaluates the spline at u.
func (s *splineFn) at(u float64) float64 {
	x := s.x
	i := sort.SearchFloat64s(x, u) - 1 // last knot < u
	if i < 0 {
		i = 0
	}
	if i+1 < len(x) && x[i+1] == u {
		i++
	}
	dx := u - x[i]
	return s.y[i] + dx*(s.b[i]+dx*(s.c[i]+dx*s.d[i]))
}

// WriteTransformed writes t as a tab-separated matrix: header
// "mirna<TAB>sample…", then one row per feature in input order, values
// with strconv's shortest round-trip formatting ('g', -1).
func WriteTransformed(w io.Writer, t *Transformed) error {
	if t == nil {
		return fmt.Errorf("%w: nil matrix", ErrEmpty)
	}
	return writeMatrix(w, t.Features, t.Samples, t.Values, formatShortest)
}

// writeMatrix writes a tab-separated matrix: header "mirna<TAB>sample…",
// then one row per feature (values row-major), each value by format.
func writeMatrix(w io.Writer, features, samples []string, values []float64, format func([]byte, float64) []byte) error {
	m := len(samples)
	if len(values) != len(features)*m {
		return fmt.Errorf("%w: %d values for %d × %d matrix", ErrRagged, len(values), len(features), m)
	}
	bw := bufio.NewWriter(w)
	b := append([]byte(nil), "mirna"...)
	for _, s := range samples {
		b = append(b, '\t')
		b = append(b, s...)
	}
	b = append(b, '\n')
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return writeRowBlocks(bw, len(features), 20*m, func(p []byte, lo, hi int) []byte {
		for i := lo; i < hi; i++ {
			p = append(p, features[i]...)
			for _, v := range values[i*m : (i+1)*m] {
				p = append(p, '\t')
				p = format(p, v)
			}
			p = append(p, '\n')
		}
		return p
	})
}

// formatShortest writes v in the shortest form that reads back exactly,
// NA for NaN.
func formatShortest(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return append(b, "NA"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
