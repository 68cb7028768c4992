package diffexp

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/exomir/exomir/internal/corr"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
)

// EdgeRQL runs edgeR's quasi-likelihood F-test as edgeR 3.40 does with
//
//	y <- DGEList(counts, group = condition); y <- calcNormFactors(y)
//	design <- model.matrix(~ condition); y <- estimateDisp(y, design)
//	fit <- glmQLFit(y, design); glmQLFTest(fit, coef = 2)
//
// (robust = FALSE; the edgeR 3.x QL method of Lund et al. 2012, Stat Appl
// Genet Mol Biol 11:8, and Lun, Chen & Smyth 2016 — not edgeR 4's
// glmQLFit(legacy = FALSE)). Written from the edgeR and limma
// documentation:
//
//	dispersion   the trended NB dispersion of estimateDisp (see EdgeR)
//	fits         one NB mean per level (mglmOneWay: Fisher scoring per
//	             group), offsets log(N_j f_j); null fit: one mean for all
//	deviance     NB unit deviances (y and μ raised by 1e-8, as edgeR)
//	residual df  m − p, less the samples fitted exactly at zero and the
//	             rank of the design on the rest
//	QL variance  s² = deviance/df squeezed by limma's squeezeVar with
//	             fitFDist's natural-spline trend (df ≤ 4) in AveLogCPM:
//	             s²_post = (df·s² + d₀·s₀²)/(df + d₀)
//	F            (deviance_null − deviance_full)/s²_post on 1 and
//	             min(d₀ + df, n·(m − p)) degrees of freedom
//	Poisson bound rows with (1 + φμ_j)·s²_post < 1 for some j take the
//	             larger of the F p-value and a Poisson LRT p-value
//	logFC        coefficient of the fit with prior count 0.125 (scaled by
//	             library size), log2
//	FDR          Benjamini–Hochberg over all features
//
// Results: Log2FoldChange = logFC, Stat = F, PValue, PAdj = FDR, LogCPM =
// AveLogCPM, DispFit = Dispersion = the trended dispersion, PriorDF = d₀;
// BaseMean and SizeFactors as in EdgeR; LfcSE is NaN. The contrast rules
// are those of EdgeR (o.Contrast). o.Design may add covariates before the
// contrast variable ("~ batch + condition"); then the NB fits are GLM fits
// (edgeR's Levenberg-damped scoring, estimateDisp dropping samples fitted
// at zero), the denominator must be the reference (first sorted) level and
// the F-test drops the numerator's coefficient.
//
// A cancelled ctx stops the fits between blocks of rows with an error
// matching ctx.Err() under errors.Is.
func EdgeRQL(ctx context.Context, c *Counts, cd *ColData, o Options) (*Results, error) {
	if err := cancelled(ctx); err != nil {
		return nil, err
	}
	if o.Test != "" && !strings.EqualFold(string(o.Test), string(TestQLF)) && !strings.EqualFold(string(o.Test), string(TestWald)) {
		return nil, fmt.Errorf("%w: the edger-ql method has only the QL F-test (test %q)", ErrDesign, o.Test)
	}
	variable := "condition"
	if len(o.Contrast) > 0 {
		variable = o.Contrast[0]
	}
	if !isSingleFactor(o.Design, variable) {
		q, err := edgerQLDesign(ctx, c, cd, o)
		if err != nil {
			return nil, err
		}
		return q.res, nil
	}
	st, err := edgerPrepare(c, cd, o, 1, "the QL F-test")
	if err != nil {
		return nil, err
	}
	q, err := edgerQL(ctx, c, st, o.Workers)
	if err != nil {
		return nil, err
	}
	return q.res, nil
}

// edgerQLFit holds EdgeRQL's results and the intermediate quantities the
// tests compare with edgeR.
type edgerQLFit struct {
	res              *Results
	varPost, dfTotal []float64
	dfPrior          float64
}

func edgerQL(ctx context.Context, c *Counts, st *edgerSetup, workers int) (*edgerQLFit, error) {
	m, n := len(c.Samples), len(c.Features)
	ng := len(st.levels)
	disp, err := edgerDispersions(ctx, c, st.group, ng, st.eff, workers)
	if err != nil {
		return nil, err
	}
	if len(disp.selected) == 0 {
		return nil, fmt.Errorf("%w: no feature has a row sum ≥ 5; no dispersion can be estimated", ErrEmpty)
	}
	members := make([][]int, ng)
	for j, g := range st.group {
		members[g] = append(members[g], j)
	}
	off := make([]float64, m)
	meanLib := 0.0
	for j, e := range st.eff {
		off[j] = math.Log(e)
		meanLib += e
	}
	meanLib /= float64(m)
	// predFC: counts raised by 0.125·N_j/mean(N), offsets log(N_j + 2·that)
	prior := make([]float64, m)
	offPrior := make([]float64, m)
	for j, e := range st.eff {
		prior[j] = 0.125 * e / meanLib
		offPrior[j] = math.Log(e + 2*prior[j])
	}
	kNum, kDen := -1, -1
	for k, l := range st.levels {
		switch l {
		case st.num:
			kNum = k
		case st.den:
			kDen = k
		}
	}

	res := newQLResults(c, st, disp.common, disp.aveLogCPM, []string{"(Intercept)", st.variable + "_" + st.num + "_vs_" + st.den})

	lr := make([]float64, n)
	df := make([]float64, n)
	s2 := make([]float64, n)
	mus := make([]float64, n*m) // full-model fitted means, for the Poisson bound
	if err := parallelRows(ctx, n, workers, func(lo, hi int) {
		yp := make([]float64, m)
		mu := make([]float64, m)
		for i := lo; i < hi; i++ {
			y := c.Row(i)
			phi := disp.trended[i]
			s := 0.0
			for j, v := range y {
				s += v / res.SizeFactors[j]
				yp[j] = v + prior[j]
			}
			res.BaseMean[i] = s / float64(m)
			res.DispFit[i], res.Dispersion[i] = phi, phi
			bNum := math.Max(oneGroupNB(yp, members[kNum], offPrior, phi, math.NaN()), -1e8)
			bDen := math.Max(oneGroupNB(yp, members[kDen], offPrior, phi, math.NaN()), -1e8)
			res.Log2FoldChange[i] = (bNum - bDen) / math.Ln2

			dev1 := oneWayDeviance(y, members, off, phi, mu)
			copy(mus[i*m:(i+1)*m], mu)
			b0 := math.Max(oneGroupNB(y, nil, off, phi, math.NaN()), -1e8)
			dev0 := 0.0
			for j, v := range y {
				dev0 += edgerUnitDeviance(v, math.Exp(b0+off[j]), phi)
			}
			lr[i] = dev0 - dev1
			df[i] = oneWayResidDF(y, mu, members, ng)
			if df[i] > 0 {
				s2[i] = math.Max(dev1/df[i], 0)
			}
		}
	}); err != nil {
		return nil, err
	}
	ql := qlStage{res: res, lr: lr, df: df, s2: s2, cov: disp.aveLogCPM, trended: disp.trended, mus: mus, m: m, maxDF: float64(n * (m - ng))}
	return ql.fTest(ctx, workers, func() func(i int) float64 {
		mu := make([]float64, m)
		return func(i int) float64 {
			y := c.Row(i)
			dev1 := oneWayDeviance(y, members, off, 0, mu)
			b0 := math.Max(oneGroupNB(y, nil, off, 0, math.NaN()), -1e8)
			dev0 := 0.0
			for j, v := range y {
				dev0 += edgerUnitDeviance(v, math.Exp(b0+off[j]), 0)
			}
			return dev0 - dev1
		}
	})
}

// newQLResults starts EdgeRQL's results: features, method, trend, edgeR's
// common dispersion, AveLogCPM, coefficient names and size factors.
func newQLResults(c *Counts, st *edgerSetup, common float64, logCPM []float64, coefs []string) *Results {
	res := newResults(len(c.Features))
	res.Features = append([]string(nil), c.Features...)
	res.Method = MethodEdgeRQL
	res.FitType = FitLocfit
	res.CommonDispersion = common
	res.LogCPM = logCPM
	res.Coefficients = coefs
	res.SizeFactors = effSizeFactors(st.eff)
	return res
}

// qlStage is what glmQLFTest needs of the fits, per row: the deviance drop
// lr of the contrast, the residual df and s² = deviance/df, the covariate
// of the variance trend (AveLogCPM), the trended NB dispersion and the m
// fitted means (row-major) for the Poisson bound; maxDF caps the total df.
type qlStage struct {
	res                           *Results
	lr, df, s2, cov, trended, mus []float64
	m                             int
	maxDF                         float64
}

// fTest squeezes s² towards fitFDist's trend, computes the F statistics,
// their p-values with the Poisson bound and the FDR into q.res. newPoisson
// makes, per block of rows, the function giving a row's Poisson deviance
// drop (called only for rows under the bound).
func (q *qlStage) fTest(ctx context.Context, workers int, newPoisson func() func(i int) float64) (*edgerQLFit, error) {
	res, df, s2, m := q.res, q.df, q.s2, q.m
	n := len(q.lr)
	d0, s0 := fitFDistTrend(s2, df, q.cov)
	out := &edgerQLFit{res: res, varPost: make([]float64, n), dfTotal: make([]float64, n), dfPrior: d0}
	res.PriorDF = d0
	if err := parallelRows(ctx, n, workers, func(lo, hi int) {
		poissonLR := newPoisson()
		for i := lo; i < hi; i++ {
			vp := s0[i]
			if !math.IsInf(d0, 1) {
				vp = (df[i]*s2[i] + d0*s0[i]) / (df[i] + d0)
			}
			out.varPost[i] = vp
			dt := math.Min(d0+df[i], q.maxDF)
			out.dfTotal[i] = dt
			f := q.lr[i] / vp
			res.Stat[i] = f
			p := fUpper(f, 1, dt)
			phi := q.trended[i]
			for _, v := range q.mus[i*m : (i+1)*m] {
				if (v*phi+1)*vp < 1 {
					p = math.Max(p, chisq1Upper(poissonLR(i)))
					break
				}
			}
			res.PValue[i] = p
		}
	}); err != nil {
		return nil, err
	}
	copy(res.PAdj, AdjustBH(res.PValue))
	return out, nil
}

// oneWayDeviance fits one NB mean per group (mglmOneWay, coefficients
// floored at −1e8), writes the fitted means into mu and returns the
// deviance.
func oneWayDeviance(y []float64, members [][]int, off []float64, phi float64, mu []float64) float64 {
	dev := 0.0
	for _, mem := range members {
		if len(mem) == 0 {
			continue
		}
		b := math.Max(oneGroupNB(y, mem, off, phi, math.NaN()), -1e8)
		for _, j := range mem {
			mu[j] = math.Exp(b + off[j])
			dev += edgerUnitDeviance(y[j], mu[j], phi)
		}
	}
	return dev
}

// oneWayResidDF is edgeR's residual df with exact zeros (.residDF): the
// samples with y and μ both below 1e-4 are left out, and the rank of the
// one-way design on the remaining samples (the number of groups still
// present) is subtracted.
func oneWayResidDF(y, mu []float64, members [][]int, ng int) float64 {
	m := len(y)
	nzero := 0
	rank := 0
	for _, mem := range members {
		present := false
		for _, j := range mem {
			if y[j] < 1e-4 && mu[j] < 1e-4 {
				nzero++
			} else {
				present = true
			}
		}
		if present {
			rank++
		}
	}
	switch {
	case nzero == m:
		return 0
	case nzero == 0:
		return float64(m - ng)
	}
	return math.Max(float64(m-nzero-rank), 0)
}

// edgerUnitDeviance is edgeR's NB unit deviance: y and μ are raised by
// 1e-8; small dispersions use the Poisson deviance with a second-order
// correction and very large φμ the gamma limit.
func edgerUnitDeviance(y, mu, phi float64) float64 {
	y += 1e-8
	mu += 1e-8
	switch {
	case phi < 1e-4:
		r := y - mu
		// the 2/3·r term is 0 here as in ports of edgeR's C++ (integer
		// 2/3); unverified against edgeR, it matters only for 0 < φ < 1e-4
		return 2 * (y*math.Log(y/mu) - r - 0.5*r*r*phi*(1+phi*(0*r-y)))
	case mu*phi < 1e6:
		return 2 * (y*math.Log(y/mu) + (y+1/phi)*math.Log((1+mu*phi)/(1+phi*y)))
	}
	return 2 * ((y-mu)/mu - math.Log(y/mu)) * mu / (1 + mu*phi)
}

// fUpper is R's pf(f, d1, d2, lower.tail = FALSE); d2 = +Inf gives the
// χ²(d1)/d1 limit.
func fUpper(f, d1, d2 float64) float64 {
	switch {
	case math.IsNaN(f) || math.IsNaN(d2):
		return math.NaN()
	case f <= 0:
		return 1
	case math.IsInf(d2, 1):
		return mathext.GammaIncRegComp(d1/2, d1*f/2)
	case d2 <= 0:
		return math.NaN()
	}
	return mathext.RegIncBeta(d2/2, d1/2, d2/(d2+d1*f))
}

// chisq1Upper is R's pchisq(x, 1, lower.tail = FALSE).
func chisq1Upper(x float64) float64 {
	if x <= 0 {
		return 1
	}
	return mathext.GammaIncRegComp(0.5, x/2)
}

// fitFDistTrend is limma's fitFDist(x, df1, covariate) as squeezeVar calls
// it: the prior df d₀ and the per-feature prior scale s₀², with a natural
// cubic spline trend in the covariate (df 1 to 4 by the number of usable
// values). Values with df1 ≤ 1e-15 are set aside and get the trend's
// prediction (linear beyond the range, as a natural spline).
func fitFDistTrend(x0, df1, covariate []float64) (float64, []float64) {
	n := len(x0)
	scale := make([]float64, n)
	x := append([]float64(nil), x0...)
	for i := range x {
		if df1[i] == 0 {
			x[i] = 0 // squeezeVar: var[df == 0] <- 0
		}
	}
	if n == 1 {
		scale[0] = x[0]
		return 0, scale
	}
	var ok []int
	for i := range x {
		if df1[i] > 1e-15 && !math.IsInf(df1[i], 0) && !math.IsNaN(x[i]) && !math.IsInf(x[i], 0) && x[i] > -1e-15 {
			ok = append(ok, i)
		}
	}
	nok := len(ok)
	if nok == 0 {
		for i := range scale {
			scale[i] = math.NaN()
		}
		return math.NaN(), scale
	}
	if nok == 1 {
		for i := range scale {
			scale[i] = x[ok[0]]
		}
		return 0, scale
	}
	xs := make([]float64, nok)
	cv := make([]float64, nok)
	for k, i := range ok {
		xs[k] = math.Max(x[i], 0)
		cv[k] = covariate[i]
	}
	splinedf := 1
	if nok >= 3 {
		splinedf++
	}
	if nok >= 6 {
		splinedf++
	}
	if nok >= 30 {
		splinedf++
	}
	splinedf = min(splinedf, len(uniqueFloats(cv)))
	md := median(append([]float64(nil), xs...))
	if md == 0 {
		md = 1
	}
	e := make([]float64, nok)
	meanTri := 0.0
	for k, i := range ok {
		xs[k] = math.Max(xs[k], 1e-5*md)
		d := df1[i]
		e[k] = math.Log(xs[k]) - mathext.Digamma(d/2) + math.Log(d/2)
		meanTri += trigammaFast(d / 2)
	}
	meanTri /= float64(nok)
	emean := make([]float64, n)
	var evar float64
	if splinedf < 2 {
		mean := 0.0
		for _, v := range e {
			mean += v
		}
		mean /= float64(nok)
		for _, v := range e {
			evar += (v - mean) * (v - mean)
		}
		evar /= float64(nok - 1)
		for i := range emean {
			emean[i] = mean
		}
	} else {
		var rss float64
		var rank int
		rss, rank = nsTrendFit(cv, e, splinedf, covariate, emean)
		evar = rss / float64(nok-rank)
	}
	evar -= meanTri
	if evar > 0 {
		d0 := 2 * trigammaInverse(evar)
		adj := mathext.Digamma(d0/2) - math.Log(d0/2)
		for i := range scale {
			scale[i] = math.Exp(emean[i] + adj)
		}
		return d0, scale
	}
	if splinedf < 2 {
		mean := 0.0
		for _, v := range xs {
			mean += v
		}
		mean /= float64(nok)
		for i := range scale {
			scale[i] = mean
		}
	} else {
		for i := range scale {
			scale[i] = math.Exp(emean[i])
		}
	}
	return math.Inf(1), scale
}

// nsTrendFit regresses e on a natural cubic spline basis of x with df
// columns including the intercept (the space of splines::ns(x, df,
// intercept = TRUE): boundary knots at the range, df−2 interior knots at
// equally spaced quantiles), writes the fitted trend evaluated at every
// element of at into out and returns the residual sum of squares and the
// rank.
func nsTrendFit(x, e []float64, df int, at, out []float64) (float64, int) {
	n := len(x)
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	scl := hi - lo
	if scl == 0 {
		scl = 1
	}
	z := make([]float64, n)
	for i, v := range x {
		z[i] = (v - lo) / scl
	}
	knots := []float64{0}
	for k := 1; k <= df-2; k++ {
		knots = append(knots, quantile7(z, float64(k)/float64(df-1)))
	}
	knots = append(knots, 1)
	K := len(knots)
	c3 := func(u float64) float64 {
		if u <= 0 {
			return 0
		}
		return u * u * u
	}
	dk := func(k int, t float64) float64 {
		return (c3(t-knots[k]) - c3(t-knots[K-1])) / (knots[K-1] - knots[k])
	}
	basis := func(row []float64, t float64) {
		row[0], row[1] = 1, t
		for k := 0; k < K-2; k++ {
			row[2+k] = dk(k, t) - dk(K-2, t)
		}
	}
	X := mat.NewDense(n, df, nil)
	for i, t := range z {
		basis(X.RawRowView(i), t)
	}
	var qr mat.QR
	qr.Factorize(X)
	var beta mat.VecDense
	if err := qr.SolveVecTo(&beta, false, mat.NewVecDense(n, e)); err != nil {
		mean, rss := corr.MeanSS(e)
		for i := range out {
			out[i] = mean
		}
		return rss, 1
	}
	row := make([]float64, df)
	rss := 0.0
	for i, t := range z {
		basis(row, t)
		r := e[i] - dot(row, beta.RawVector().Data)
		rss += r * r
	}
	for i, v := range at {
		basis(row, (v-lo)/scl)
		out[i] = dot(row, beta.RawVector().Data)
	}
	return rss, df
}
