package diffexp

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
)

// fitFDistDF is limma's fitFDist prior degrees of freedom for variances s2
// with residual df df1 and a natural cubic spline trend in covariate
// (df = 4 with ≥ 30 usable values, fewer below), Smyth 2004.
func fitFDistDF(s2, df1, covariate []float64) float64 {
	var x, d, cv []float64
	for k := range s2 {
		if df1[k] > 1e-15 && !math.IsNaN(s2[k]) && !math.IsInf(s2[k], 0) && s2[k] > -1e-15 {
			x = append(x, math.Max(s2[k], 0))
			d = append(d, df1[k])
			cv = append(cv, covariate[k])
		}
	}
	nok := len(x)
	if nok < 2 {
		return 0
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
	med := append([]float64(nil), x...)
	sort.Float64s(med)
	mdn := med[nok/2]
	if nok%2 == 0 {
		mdn = (med[nok/2-1] + med[nok/2]) / 2
	}
	if mdn == 0 {
		mdn = 1
	}
	e := make([]float64, nok)
	meanTri := 0.0
	for k := range x {
		v := math.Max(x[k], 1e-5*mdn)
		e[k] = math.Log(v) - mathext.Digamma(d[k]/2) + math.Log(d[k]/2)
		meanTri += trigammaFast(d[k] / 2)
	}
	meanTri /= float64(nok)
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
	} else {
		rss, rank := nsResidualSS(cv, e, splinedf)
		evar = rss / float64(nok-rank)
	}
	evar -= meanTri
	if evar > 0 {
		return 2 * trigammaInverse(evar)
	}
	return math.Inf(1)
}

func uniqueFloats(v []float64) []float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	out := s[:0]
	for i, f := range s {
		if i == 0 || f != s[i-1] {
			out = append(out, f)
		}
	}
	return out
}

// nsResidualSS regresses e on a natural cubic spline basis of x with df
// columns including the intercept (boundary knots at the range, df−2
// interior knots at equally spaced quantiles, as R's splines::ns) and
// returns the residual sum of squares and the rank.
func nsResidualSS(x, e []float64, df int) (float64, int) {
	n := len(x)
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	scale := hi - lo
	if scale == 0 {
		scale = 1
	}
	z := make([]float64, n)
	for i, v := range x {
		z[i] = (v - lo) / scale
	}
	knots := []float64{0}
	for k := 1; k <= df-2; k++ {
		knots = append(knots, quantile7(z, float64(k)/float64(df-1)))
	}
	knots = append(knots, 1)
	K := len(knots)
	dk := func(k int, t float64) float64 {
		c3 := func(u float64) float64 {
			if u <= 0 {
				return 0
			}
			return u * u * u
		}
		return (c3(t-knots[k]) - c3(t-knots[K-1])) / (knots[K-1] - knots[k])
	}
	X := mat.NewDense(n, df, nil)
	for i, t := range z {
		X.Set(i, 0, 1)
		X.Set(i, 1, t)
		for k := 0; k < K-2; k++ {
			X.Set(i, 2+k, dk(k, t)-dk(K-2, t))
		}
	}
	var qr mat.QR
	qr.Factorize(X)
	var beta mat.VecDense
	if err := qr.SolveVecTo(&beta, false, mat.NewVecDense(n, e)); err != nil {
		// singular basis (too few distinct values): fall back to the mean
		mean := 0.0
		for _, v := range e {
			mean += v
		}
		mean /= float64(n)
		rss := 0.0
		for _, v := range e {
			rss += (v - mean) * (v - mean)
		}
		return rss, 1
	}
	var fit mat.VecDense
	fit.MulVec(X, &beta)
	rss := 0.0
	for i, v := range e {
		r := v - fit.AtVec(i)
		rss += r * r
	}
	return rss, df
}

// trigammaInverse solves ψ'(y) = v for y > 0 (ψ' is decreasing).
func trigammaInverse(v float64) float64 {
	lo, hi := -30.0, 30.0 // log y
	for it := 0; it < 200; it++ {
		mid := (lo + hi) / 2
		if trigammaFast(math.Exp(mid)) > v {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo + hi) / 2)
}
