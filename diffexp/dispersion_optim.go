package diffexp

import (
	"math"
)

// Line search settings, as documented for DESeq2's dispersion fits.
const (
	lsKappa0  = 1.0
	lsEpsilon = 1e-4 // Armijo sufficient-increase constant
	lsTol     = 1e-6 // stop when the log posterior rises by less
	lsMaxIter = 100
	lsLogMin  = -30.0
	lsLogMax  = 10.0
)

// lineSearch climbs logPost from log α = a by gradient steps with Armijo
// backtracking (step κ ≤ 1, grown by 10% after each accepted step and
// halved every fifth), stopping when the log posterior rises by less than
// 1e-6 or log α falls below log(minDisp/10). As in DESeq2, every proposal
// (accepted or halved) counts as an iteration, at most lsMaxIter. It
// returns the final log α, the number of iterations and the initial and
// last log posterior.
func (d *dispModel) lineSearch(y, mu []float64, a, pm, pv float64, ws *dispWork) (float64, int, float64, float64) {
	lp := d.logPost(y, mu, a, pm, pv, ws)
	lp0 := lp
	dlp := d.dLogPost(y, mu, a, pm, pv, ws)
	kappa := lsKappa0
	minLog := math.Log(minDisp / 10)
	iter := 0
	accepts := 0
	for t := 0; t < lsMaxIter; t++ {
		iter++
		prop := a + kappa*dlp
		if prop < lsLogMin {
			kappa = (lsLogMin - a) / dlp
		}
		if prop > lsLogMax {
			kappa = (lsLogMax - a) / dlp
		}
		// the accepted point's log posterior is −theta: no re-evaluation
		theta := -d.logPost(y, mu, a+kappa*dlp, pm, pv, ws)
		thetaHat := -lp - kappa*lsEpsilon*dlp*dlp
		if !(theta <= thetaHat) { // not a sufficient rise (or NaN): halve
			kappa /= 2
			continue
		}
		accepts++
		a += kappa * dlp
		lpNew := -theta
		if lpNew-lp < lsTol {
			lp = lpNew
			break
		}
		if a < minLog {
			break
		}
		lp = lpNew
		dlp = d.dLogPost(y, mu, a, pm, pv, ws)
		kappa = math.Min(kappa*1.1, lsKappa0)
		if accepts%5 == 0 {
			kappa /= 2
		}
	}
	return a, iter, lp0, lp
}

// gridSearch maximises logPost over 20 log α values evenly spaced on
// [log minDisp, log maxDisp], then returns the best of 20 values spanning
// one coarse step either side of the coarse best; DESeq2's fallback when
// the line search fails. As in DESeq2 the result is always a point of the
// fine grid (which does not contain the coarse best itself), even where
// the coarse best is higher.
func (d *dispModel) gridSearch(y, mu []float64, pm, pv float64, ws *dispWork) float64 {
	const n = 20
	lo, hi := math.Log(minDisp), math.Log(d.maxDisp)
	delta := (hi - lo) / (n - 1)
	center, bestV := lo, math.Inf(-1)
	for k := 0; k < n; k++ {
		a := lo + float64(k)*delta
		if v := d.logPost(y, mu, a, pm, pv, ws); v > bestV {
			center, bestV = a, v
		}
	}
	step := 2 * delta / (n - 1)
	best := center - delta
	bestV = math.Inf(-1)
	for k := 0; k < n; k++ {
		a := center - delta + float64(k)*step
		if v := d.logPost(y, mu, a, pm, pv, ws); v > bestV {
			best, bestV = a, v
		}
	}
	return best
}

// firstStep replays the first iteration of DESeq2's line search from a,
// where the log posterior is lp and its derivative g: a gradient step of
// length at most 1 with Armijo halving. It returns the new point, the
// rise of the log posterior and the number of halvings; DESeq2 stops there
// when the rise is below lsTol, which matters where the start lies in a
// flat region, and counts 1 + halvings iterations.
func (d *dispModel) firstStep(y, mu []float64, a, lp, g, pm, pv float64, ws *dispWork) (float64, float64, int) {
	kappa := lsKappa0
	if prop := a + kappa*g; prop < lsLogMin {
		kappa = (lsLogMin - a) / g
	} else if prop > lsLogMax {
		kappa = (lsLogMax - a) / g
	}
	lpN, _, _ := d.derivs(y, mu, a+kappa*g, pm, pv, true, ws)
	h := 0
	for ; (lpN < lp+kappa*lsEpsilon*g*g || math.IsNaN(lpN)) && h < lsMaxIter-1; h++ {
		kappa /= 2
		lpN, _, _ = d.derivs(y, mu, a+kappa*g, pm, pv, true, ws)
	}
	return a + kappa*g, lpN - lp, h
}

// Newton iteration settings for the dispersion fits.
const (
	nwMaxIter = 100
	nwTol     = 1e-3 // stop when the step in log α is smaller
	nwMaxStep = 2.0  // largest step in log α
)

// newton maximises logPost over log α in [log(minDisp/10), log maxDisp]
// from a by safeguarded Newton steps: the step is −ℓ′/ℓ″ where ℓ″ < 0
// (else a unit step uphill), at most nwMaxStep, bisection when it leaves
// the bracket of points known to lie below (ℓ′ > 0) and above (ℓ′ < 0) the
// maximum, and halved until the log posterior does not decrease, so that
// like DESeq2's line search it climbs to the maximum of the start's basin.
// Where the derivative decays like α (no overdispersion left) it tries the
// lower bound at once. It returns the final log α, the number of
// iterations (nwMaxIter+1 if it did not converge) and the log posterior at
// the start and at the end.
func (d *dispModel) newton(y, mu []float64, a, pm, pv float64, ws *dispWork) (float64, int, float64, float64) {
	lower, upper := math.Log(minDisp/10), math.Log(d.maxDisp)
	a = math.Min(math.Max(a, lower), upper)
	lp, g, h := d.derivs(y, mu, a, pm, pv, true, ws)
	a, iter, lpEnd := d.newtonFrom(y, mu, a, lp, g, h, pm, pv, ws)
	return a, iter, lp, lpEnd
}

// newtonFrom is newton with the log posterior and its derivatives at the
// start a (within the bounds) given; it returns the final log α, the
// number of iterations and the final log posterior.
func (d *dispModel) newtonFrom(y, mu []float64, a, lp, g, h, pm, pv float64, ws *dispWork) (float64, int, float64) {
	lower, upper := math.Log(minDisp/10), math.Log(d.maxDisp)
	lo, hi := math.Inf(-1), math.Inf(1)
	iter := 0
	converged := false
	ws.lastInterior = false
	for iter < nwMaxIter {
		iter++
		switch {
		case g > 0:
			lo = a
		case g < 0:
			hi = a
		}
		if g == 0 || (a <= lower && g < 0) || (a >= upper && g > 0) {
			converged = true
			break
		}
		var step float64
		if h < 0 {
			step = -g / h
		} else {
			step = math.Copysign(1, g)
		}
		step = math.Max(-nwMaxStep, math.Min(nwMaxStep, step))
		next := a + step
		if g < 0 && h < 0 && step < -0.5 && a < -9 && lower > lo {
			next = lower // exponential tail towards α = 0
		}
		next = math.Min(math.Max(next, lower), upper)
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-a) < nwTol || hi-lo < nwTol {
			// the last step is not evaluated: lp and ℓ′ from the
			// quadratic model
			st := next - a
			lp += st * (g + 0.5*h*st)
			g += h * st
			a = next
			converged = true
			ws.lastInterior = true
			break
		}
		lpN, gN, hN := d.derivs(y, mu, next, pm, pv, true, ws)
		for k := 0; !(lpN >= lp-1e-13*math.Abs(lp)) && k < 60; k++ {
			// a maximum lies between a and next
			if next > a {
				hi = next
			} else {
				lo = next
			}
			next = a + (next-a)/2
			lpN, gN, hN = d.derivs(y, mu, next, pm, pv, true, ws)
		}
		if !(lpN >= lp-1e-13*math.Abs(lp)) {
			break // no ascent possible: a is the maximum within rounding
		}
		a, lp, g, h = next, lpN, gN, hN
	}
	if !converged && iter >= nwMaxIter {
		iter = nwMaxIter + 1
	}
	ws.lastG, ws.lastH = g, h
	return a, iter, lp
}
