package diffexp

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Dispersion constants, DESeq2 1.38 defaults (estimateDispersions help page).
const (
	minDisp   = 1e-8 // lower bound of every dispersion estimate
	outlierSD = 2    // gene-wise estimates this many SDs above the trend are kept
)

var errFitFailed = errors.New("diffexp: parametric dispersion fit failed")

// dispModel holds what the dispersion fits of all rows share.
type dispModel struct {
	x        []float64 // m × p
	m, p     int
	sf       []float64
	maxDisp  float64
	linearMu bool // design is a pure group design: μ from least squares
	glm      *glmModel
}

func newDispModel(g *glmModel) *dispModel {
	d := &dispModel{x: g.x, m: g.m, p: g.p, sf: g.sf, glm: g, maxDisp: math.Max(10, float64(g.m))}
	// Unique design rows == number of coefficients: every sample's fitted
	// mean is its group's mean, so a linear model gives μ directly.
	d.linearMu = g.cell != nil && g.init != nil
	return d
}

// dispWork is per-worker scratch for dispersion fits.
type dispWork struct {
	glm  *glmWork
	mu   []float64
	norm []float64
	xtwx []float64
	// logPost leaves log(1+αμ_j) and log(y_j+r) for the point cacheA of
	// the row (cacheY, cacheMu) so that dLogPost there needs no logarithm.
	cL1p, cLogX     []float64
	cacheA          float64
	cacheY, cacheMu *float64
	buf             []float64 // m, scratch for Cook's distances
	buf2            []float64
	coef            []float64
	inv             []float64
	chol            []float64
	// p × p scratch of derivs: M′, M″, M⁻¹ and M⁻¹M′
	dm1, dm2, dinv, daa []float64
	// lastG and lastH are ℓ′ and ℓ″ at newton's final point (the last
	// step extrapolated when it was not evaluated); lastInterior reports
	// that it stopped on a small step.
	lastG, lastH float64
	lastInterior bool
}

func newDispWork(m, p int) *dispWork {
	return &dispWork{glm: newGLMWork(m, p), mu: make([]float64, m), norm: make([]float64, m),
		xtwx: make([]float64, p*p), cL1p: make([]float64, m), cLogX: make([]float64, m), cacheA: math.NaN(), buf: make([]float64, m), buf2: make([]float64, m), coef: make([]float64, p), inv: make([]float64, p*p), chol: make([]float64, p*p),
		dm1: make([]float64, p*p), dm2: make([]float64, p*p), dinv: make([]float64, p*p), daa: make([]float64, p*p)}
}

// initialDisp is DESeq2's starting value: the smaller of a rough
// linear-model estimate and the method-of-moments estimate, within bounds.
func (d *dispModel) initialDisp(y []float64, ws *dispWork) float64 {
	m, p := d.m, d.p
	norm := ws.norm
	mean := 0.0
	for j := 0; j < m; j++ {
		norm[j] = y[j] / d.sf[j]
		mean += norm[j]
	}
	mean /= float64(m)
	v := 0.0
	xim := 0.0
	for j := 0; j < m; j++ {
		v += (norm[j] - mean) * (norm[j] - mean)
		xim += 1 / d.sf[j]
	}
	v /= float64(m - 1)
	xim /= float64(m)
	moments := (v - xim*mean) / (mean * mean)
	// rough: least-squares fit of normalised counts on the design
	coef := ws.coef
	g := d.glm
	for a := 0; a < p; a++ {
		s := 0.0
		for k := 0; k < m; k++ {
			s += g.init[a*m+k] * norm[k]
		}
		coef[a] = s
	}
	rough := 0.0
	for j := 0; j < m; j++ {
		fit := math.Max(dot(d.x[j*p:(j+1)*p], coef), 1)
		rough += ((norm[j]-fit)*(norm[j]-fit) - fit) / (fit * fit)
	}
	rough = math.Max(rough/float64(m-p), 0)
	a := math.Min(rough, moments)
	return math.Min(math.Max(a, minDisp), d.maxDisp)
}

// rowMu fills ws.mu with the fitted means used for dispersion estimation.
func (d *dispModel) rowMu(y []float64, alphaInit float64, ws *dispWork) {
	m := d.m
	if d.linearMu {
		p := d.p
		coef := ws.coef
		for a := 0; a < p; a++ {
			s := 0.0
			for k := 0; k < m; k++ {
				s += d.glm.init[a*m+k] * y[k] / d.sf[k]
			}
			coef[a] = s
		}
		for j := 0; j < m; j++ {
			ws.mu[j] = math.Max(dot(d.x[j*p:(j+1)*p], coef)*d.sf[j], glmMinMu)
		}
		return
	}
	d.glm.fit(ws.glm, y, alphaInit)
	copy(ws.mu, ws.glm.mu)
}

// logPost is the Cox–Reid adjusted profile log likelihood of log α, plus
// a normal log prior on log α when priorVar > 0.
//
//	ℓ(α) = Σ_j [lgamma(y_j+1/α) − lgamma(1/α) − y_j log(μ_j+1/α) − (1/α) log(1+αμ_j)]
//	       − ½ log det(Xᵀ W X),  W = diag(μ_j / (1 + α μ_j))
//	       − (log α − priorMean)² / (2 priorVar)
func (d *dispModel) logPost(y, mu []float64, logA, priorMean, priorVar float64, ws *dispWork) float64 {
	m, p := d.m, d.p
	alpha := math.Exp(logA)
	r := 1 / alpha
	logR := -logA // log(1/α)
	lgr, _ := math.Lgamma(r)
	ll := 0.0
	xtwx := ws.xtwx
	clear(xtwx)
	for j := 0; j < m; j++ {
		mj := mu[j]
		l1p := log1pFast(mj * alpha) // log(1+αμ); log(μ+r) = log r + l1p
		ws.cL1p[j] = l1p
		if yj := y[j]; yj > 0 {
			var lgd float64
			switch {
			case yj <= smallCount:
				lgd = lgammaDiff(yj, r, lgr)
			case r >= smallAlphaRatio*yj:
				// near-Poisson: lgamma(y+r) − lgamma(r) − y log r by its
				// series, free of the cancellation of two huge lgammas
				lg, _, _ := smallAlphaSums(yj, r)
				ll += lg - yj*l1p
				ll -= r * l1p
				goto weights
			default:
				x := yj + r
				lx := fastLog(x)
				ws.cLogX[j] = lx
				lgd = lgammaLargeLog(x, lx) - lgr
			}
			ll += lgd - yj*(logR+l1p)
		}
		ll -= r * l1p
	weights:
		w := mj / (1 + alpha*mj)
		row := d.x[j*p : (j+1)*p]
		for a := 0; a < p; a++ {
			wa := w * row[a]
			for b := 0; b <= a; b++ {
				xtwx[a*p+b] += wa * row[b]
			}
		}
	}
	// the logarithms above serve dLogPost at the same point
	ws.cacheA, ws.cacheY, ws.cacheMu = logA, &y[0], &mu[0]
	for a := 0; a < p; a++ {
		for b := 0; b < a; b++ {
			xtwx[b*p+a] = xtwx[a*p+b]
		}
	}
	ll -= 0.5 * logDetCholesky(xtwx, p, ws.chol)
	if priorVar > 0 {
		dd := logA - priorMean
		ll -= dd * dd / (2 * priorVar)
	}
	return ll
}

// smallCount is the largest count for which lgamma and digamma differences
// are taken as finite sums; above it Stirling series are used.
const smallCount = 12

// digammaDiff returns ψ(y+r) − ψ(r) for a positive integer y, with
// psiR = ψ(r): Σ_{k<y} 1/(r+k) for small y, else gonum's Digamma.
func digammaDiff(y, r, psiR float64) float64 {
	if y <= smallCount {
		s := 0.0
		for k := 0.0; k < y; k++ {
			s += 1 / (r + k)
		}
		return s
	}
	return mathext.Digamma(y+r) - psiR
}

// lgammaDiff returns lgamma(y+r) − lgamma(r) for a positive integer y, with
// lgr = lgamma(r): a product of y factors for small y, else math.Lgamma.
func lgammaDiff(y, r, lgr float64) float64 {
	if y <= smallCount {
		prod := r
		for k := 1.0; k < y; k++ {
			prod *= r + k
		}
		return fastLog(prod)
	}
	if r >= smallAlphaRatio*y {
		lg, _, _ := smallAlphaSums(y, r)
		return y*math.Log(r) + lg
	}
	return lgammaLarge(y+r) - lgr
}

// smallAlphaRatio: for r = 1/α at least this many times the count, the
// differences lgamma(y+r) − lgamma(r), ψ(y+r) − ψ(r), ψ₁(y+r) − ψ₁(r) are
// taken from their series in 1/r (smallAlphaSums); the Stirling
// differences lose ~r·log r·1e-16 there (2e-7 at α = 1e-8), enough to
// decide whether a line-search step rose by 1e-6.
const smallAlphaRatio = 1000

// smallAlphaSums returns, for an integer y ≥ 1 and r ≥ 1000 y,
//
//	lg = lgamma(y+r) − lgamma(r) − y log r = Σ_{k<y} log(1 + k/r)
//	d1 = ψ(y+r) − ψ(r) = Σ_{k<y} 1/(r+k)
//	t1 = ψ₁(y+r) − ψ₁(r) = −Σ_{k<y} 1/(r+k)²
//
// expanded in powers of k/r with the power sums S_i = Σ_{k<y} k^i; the
// first omitted terms are below y·(y/r)⁵ relative to y, i.e. 1e-15.
func smallAlphaSums(y, r float64) (lg, d1, t1 float64) {
	n := y - 1
	s1 := n * (n + 1) / 2
	s2 := n * (n + 1) * (2*n + 1) / 6
	s3 := s1 * s1
	s4 := n * (n + 1) * (2*n + 1) * (3*n*n + 3*n - 1) / 30
	q := 1 / r
	lg = q * (s1 - q*(s2/2-q*(s3/3-q*s4/4)))
	d1 = q * (y - q*(s1-q*(s2-q*(s3-q*s4))))
	t1 = -q * q * (y - q*(2*s1-q*(3*s2-q*(4*s3-q*5*s4))))
	return lg, d1, t1
}

// log1pFast is log(1+x) for x ≥ 0, using fastLog where rounding 1+x costs
// no meaningful precision (relative error < 1e-13) and its series below.
func log1pFast(x float64) float64 {
	if x > 1e-3 {
		return fastLog(1 + x)
	}
	if x >= 0 {
		// series to x⁵: the next term, x⁶/6, is below 2e-19 here
		return x * (1 - x*(0.5-x*(1.0/3-x*(0.25-x*0.2))))
	}
	return math.Log1p(x)
}

// lgammaLarge is log Γ(x) for x ≥ 12 by Stirling's series
//
//	(x−½) log x − x + ½ log 2π + 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹)
//
// whose truncation error is below 691/(360360 x¹¹) < 1e-14 here.
func lgammaLarge(x float64) float64 { return lgammaLargeLog(x, fastLog(x)) }

// lgammaLargeLog is lgammaLarge with lx = log x supplied.
func lgammaLargeLog(x, lx float64) float64 {
	const halfLog2Pi = 0.91893853320467274178
	z := 1 / x
	z2 := z * z
	s := z * (1.0/12 - z2*(1.0/360-z2*(1.0/1260-z2*(1.0/1680-z2*(1.0/1188)))))
	return (x-0.5)*lx - x + halfLog2Pi + s
}

// digammaLargeLog is ψ(x) for x ≥ 12 from the asymptotic series
//
//	log x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶) + 1/(240x⁸) − 1/(132x¹⁰)
//
// (truncation error below 691/(32760 x¹²) < 3e-15), with lx = log x.
func digammaLargeLog(x, lx float64) float64 {
	z := 1 / x
	z2 := z * z
	return lx - 0.5*z - z2*(1.0/12-z2*(1.0/120-z2*(1.0/252-z2*(1.0/240-z2*(1.0/132)))))
}

// dLogPost is the derivative of logPost with respect to log α.
//
//	dℓ_j/d log α = −r [ψ(y_j+r) − ψ(r) + log r − log(μ_j+r) + 1 − (y_j+r)/(μ_j+r)],  r = 1/α
//	d(−½ log det)/d log α = ½ α Σ_j μ_j²/(1+αμ_j)² x_jᵀ(XᵀWX)⁻¹x_j
func (d *dispModel) dLogPost(y, mu []float64, logA, priorMean, priorVar float64, ws *dispWork) float64 {
	m, p := d.m, d.p
	alpha := math.Exp(logA)
	r := 1 / alpha
	psiR := mathext.Digamma(r)
	// reuse logPost's logarithms when it was just evaluated here
	cached := ws.cacheA == logA && len(y) > 0 && ws.cacheY == &y[0] && ws.cacheMu == &mu[0]
	g := 0.0
	xtwx := ws.xtwx
	clear(xtwx)
	for j := 0; j < m; j++ {
		mj := mu[j]
		var l1p float64
		if cached {
			l1p = ws.cL1p[j]
		} else {
			l1p = log1pFast(mj * alpha)
		}
		t := -l1p + 1 - (y[j]+r)/(mj+r) // log r − log(μ+r) + 1 − (y+r)/(μ+r)
		if yj := y[j]; yj > 0 {
			if yj <= smallCount {
				t += digammaDiff(yj, r, psiR)
			} else if r >= smallAlphaRatio*yj {
				_, d1, _ := smallAlphaSums(yj, r)
				t += d1
			} else {
				x := yj + r
				var lx float64
				if cached {
					lx = ws.cLogX[j]
				} else {
					lx = fastLog(x)
				}
				t += digammaLargeLog(x, lx) - psiR
			}
		}
		g -= r * t
		w := mj / (1 + alpha*mj)
		row := d.x[j*p : (j+1)*p]
		for a := 0; a < p; a++ {
			for b := 0; b <= a; b++ {
				xtwx[a*p+b] += w * row[a] * row[b]
			}
		}
	}
	for a := 0; a < p; a++ {
		for b := 0; b < a; b++ {
			xtwx[b*p+a] = xtwx[a*p+b]
		}
	}
	inv := ws.inv
	if cholInverse(xtwx, p, inv, ws.chol) {
		s := 0.0
		for j := 0; j < m; j++ {
			mj := mu[j]
			q := 1 + alpha*mj
			row := d.x[j*p : (j+1)*p]
			h := 0.0
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					h += row[a] * inv[a*p+b] * row[b]
				}
			}
			s += mj * mj / (q * q) * h
		}
		g += 0.5 * alpha * s
	}
	if priorVar > 0 {
		g -= (logA - priorMean) / priorVar
	}
	return g
}

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
// [log minDisp, log maxDisp], then over 20 values spanning one coarse step
// either side of the best; DESeq2's fallback when the line search fails.
func (d *dispModel) gridSearch(y, mu []float64, pm, pv float64, ws *dispWork) float64 {
	const n = 20
	lo, hi := math.Log(minDisp), math.Log(d.maxDisp)
	delta := (hi - lo) / (n - 1)
	best, bestV := lo, math.Inf(-1)
	for k := 0; k < n; k++ {
		a := lo + float64(k)*delta
		if v := d.logPost(y, mu, a, pm, pv, ws); v > bestV {
			best, bestV = a, v
		}
	}
	center := best
	step := 2 * delta / (n - 1)
	for k := 0; k < n; k++ {
		a := center - delta + float64(k)*step
		if v := d.logPost(y, mu, a, pm, pv, ws); v > bestV {
			best, bestV = a, v
		}
	}
	return best
}

// trend is a fitted mean–dispersion function.
type trend struct {
	typ       string  // "parametric", "local" or "mean"
	asympt    float64 // a0, or the constant of "mean"
	extraPois float64
	// local fit (locfit.go): vertices of the evaluation tree, sorted log
	// means, with the fitted log dispersion and its slope there
	localX, localY, localD []float64
	localC2                float64 // curvature of the extension (locfit.go)
}

func (t *trend) at(mean float64) float64 {
	switch t.typ {
	case "parametric":
		return t.asympt + t.extraPois/mean
	case "mean": // DESeq2's fitType "mean": a constant
		return t.asympt
	}
	return t.localAt(mean)
}

// fitParametricTrend fits α(μ) = a0 + a1/μ by iterated gamma-family GLMs
// with identity link, refitting on the genes whose ratio of estimate to
// fit lies in (1e-4, 15), starting from (0.1, 1), until the squared log
// change of the coefficients falls below 1e-6 (at most 10 rounds); both
// coefficients must stay positive.
func fitParametricTrend(means, disps []float64) (a0, a1 float64, err error) {
	c := [2]float64{0.1, 1}
	xs := make([]float64, 0, len(means))
	ys := make([]float64, 0, len(means))
	for iter := 0; ; iter++ {
		xs, ys = xs[:0], ys[:0]
		for i, mu := range means {
			r := disps[i] / (c[0] + c[1]/mu)
			if r > 1e-4 && r < 15 {
				xs = append(xs, 1/mu)
				ys = append(ys, disps[i])
			}
		}
		nc, conv, ok := gammaIdentityGLM(xs, ys, c)
		if !ok || !(nc[0] > 0 && nc[1] > 0) {
			return 0, 0, errFitFailed
		}
		l0, l1 := math.Log(nc[0]/c[0]), math.Log(nc[1]/c[1])
		c = nc
		if l0*l0+l1*l1 < 1e-6 && conv {
			return c[0], c[1], nil
		}
		if iter+1 > 10 {
			return 0, 0, errFitFailed
		}
	}
}

// gammaIdentityGLM fits y ~ b0 + b1 x with a Gamma family and identity link
// by IRLS from start (weights 1/μ², working response y, deviance-based
// convergence 1e-8 within 25 iterations, halving steps that leave μ ≤ 0),
// as R's glm.fit does.
func gammaIdentityGLM(x, y []float64, start [2]float64) ([2]float64, bool, bool) {
	n := len(x)
	if n < 2 {
		return start, false, false
	}
	dev := func(b [2]float64) (float64, bool) {
		s := 0.0
		for i := range x {
			mu := b[0] + b[1]*x[i]
			if !(mu > 0) {
				return 0, false
			}
			ratio := 1.0
			if y[i] != 0 {
				ratio = y[i] / mu
			}
			s += -2 * (math.Log(ratio) - (y[i]-mu)/mu)
		}
		return s, true
	}
	b := start
	devOld, ok := dev(b)
	if !ok {
		return b, false, false
	}
	for it := 0; it < 25; it++ {
		var sw, swx, swxx, swy, swxy float64
		for i := range x {
			mu := b[0] + b[1]*x[i]
			w := 1 / (mu * mu)
			sw += w
			swx += w * x[i]
			swxx += w * x[i] * x[i]
			swy += w * y[i]
			swxy += w * x[i] * y[i]
		}
		det := sw*swxx - swx*swx
		if det == 0 {
			return b, false, false
		}
		nb := [2]float64{(swxx*swy - swx*swxy) / det, (sw*swxy - swx*swy) / det}
		d, valid := dev(nb)
		for h := 0; !valid || math.IsInf(d, 0) || math.IsNaN(d); h++ {
			if h > 30 {
				return b, false, false
			}
			nb = [2]float64{(nb[0] + b[0]) / 2, (nb[1] + b[1]) / 2}
			d, valid = dev(nb)
		}
		b = nb
		if math.Abs(d-devOld)/(math.Abs(d)+0.1) < 1e-8 {
			return b, true, true
		}
		devOld = d
	}
	return b, false, true
}

// mad is R's mad(): 1.4826 × median absolute deviation from the median.
func mad(x []float64) float64 {
	c := append([]float64(nil), x...)
	med := medianSelect(c)
	for i, v := range x {
		c[i] = math.Abs(v - med)
	}
	return 1.4826 * medianSelect(c)
}

// psi1 returns ψ₁(x) = ζ(2, x).
func psi1(x float64) float64 { return mathext.Zeta(2, x) }

// fastLog tables: for c_i = 1 + (i+½)/128, i = 0..127, 1/c_i and log c_i.
var fastLogInv, fastLogLog [128]float64

func init() {
	for i := range fastLogInv {
		c := 1 + (float64(i)+0.5)/128
		fastLogInv[i] = 1 / c
		fastLogLog[i] = math.Log(c)
	}
}

// fastLog is the natural logarithm for the likelihood loops, about twice
// as fast as math.Log with an absolute error below 1e-15·max(1, |log x|):
// x = 2^e·m with m in [1, 2); the top 7 bits of m pick c_i near m, and
//
//	log x = e·ln 2 + log c_i + log(1 + r),  r = (m − c_i)/c_i, |r| < 2⁻⁸,
//
// with log(1 + r) from its series to r⁶ (truncation < 2e-18). Zero,
// subnormal, infinite and NaN arguments go to math.Log.
func fastLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 // ln 2 split so that e·ln2Hi is exact
		ln2Lo = 1.90821492927058770002e-10
	)
	bits := math.Float64bits(x)
	e := int(bits>>52) & 0x7ff
	if e == 0 || e == 0x7ff || bits>>63 != 0 {
		return math.Log(x)
	}
	i := int(bits>>45) & 127
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	c := 1 + (float64(i)+0.5)/128
	r := (m - c) * fastLogInv[i]
	p := r * (1 + r*(-0.5+r*(1.0/3+r*(-0.25+r*(0.2-r*(1.0/6))))))
	k := float64(e - 1023)
	return (k*ln2Hi + fastLogLog[i]) + (k*ln2Lo + p)
}

// digammaFast is ψ(x) for x > 0: the recurrence ψ(x) = ψ(x+1) − 1/x up to
// x ≥ 12, then digammaLargeLog.
func digammaFast(x float64) float64 {
	s := 0.0
	for x < smallCount {
		s -= 1 / x
		x++
	}
	return s + digammaLargeLog(x, fastLog(x))
}

// polygammaR returns ψ(x), ψ₁(x) and log Γ(x) for x > 0 together: the
// recurrences up to x + n ≥ 12 share 1/(x+k) and one logarithm of
// Π(x+k), and the asymptotic series share 1/x and log x.
func polygammaR(x float64) (psi, psi1, lg float64) {
	prod := 1.0
	for x < smallCount {
		u := 1 / x
		psi -= u
		psi1 += u * u
		prod *= x
		x++
	}
	lx := fastLog(x)
	psi += digammaLargeLog(x, lx)
	psi1 += trigammaLarge(x)
	lg = lgammaLargeLog(x, lx)
	if prod != 1 {
		lg -= fastLog(prod)
	}
	return psi, psi1, lg
}

// trigammaLarge is ψ₁(x) for x ≥ 12 from the asymptotic series
//
//	1/x + 1/(2x²) + 1/(6x³) − 1/(30x⁵) + 1/(42x⁷) − 1/(30x⁹) + 5/(66x¹¹)
//
// (truncation error below 691/(2730 x¹³) < 3e-15).
func trigammaLarge(x float64) float64 {
	z := 1 / x
	z2 := z * z
	return z + z2*(0.5+z*(1.0/6-z2*(1.0/30-z2*(1.0/42-z2*(1.0/30-z2*(5.0/66))))))
}

// trigammaFast is ψ₁(x) for x > 0: the recurrence ψ₁(x) = ψ₁(x+1) + 1/x²
// up to x ≥ 12, then trigammaLarge.
func trigammaFast(x float64) float64 {
	s := 0.0
	for x < smallCount {
		s += 1 / (x * x)
		x++
	}
	return s + trigammaLarge(x)
}

// derivs returns the first and second derivatives of logPost with respect
// to log α at logA and, when wantValue is set, logPost itself (else NaN),
// in one pass over the samples (one logarithm per sample, plus one per
// count above smallCount). With r = 1/α, q_j = 1 + αμ_j:
//
//	dℓ_j/d log α  = −r f′_j,   d²ℓ_j/d log α² = r f′_j + r² f″_j
//	f′_j    = ψ(y_j+r) − ψ(r) − log q_j + α(μ_j − y_j)/q_j
//	r² f″_j = r² [ψ₁(y_j+r) − ψ₁(r)] + (αμ_j² + y_j)/q_j²
//
// and for the Cox–Reid term −½ log det M, M = XᵀWX, w_j = μ_j/q_j,
// w′_j = −αμ_j²/q_j², w″_j = w′_j (1 − αμ_j)/q_j:
//
//	d/d log α  = −½ tr(M⁻¹M′),   d²/d log α² = −½ [tr(M⁻¹M″) − tr((M⁻¹M′)²)].
func (d *dispModel) derivs(y, mu []float64, logA, priorMean, priorVar float64, wantValue bool, ws *dispWork) (lp, g, h float64) {
	m, p := d.m, d.p
	alpha := math.Exp(logA)
	r := 1 / alpha
	logR := -logA
	// ψ(r), ψ₁(r) and lgamma(r) are needed for counts above smallCount only
	var psiR, psi1R, lgr float64
	haveR := false
	pp := p * p
	mm := ws.xtwx[:pp]
	m1 := ws.dm1[:pp]
	m2 := ws.dm2[:pp]
	cell := d.glm.cell
	if cell != nil {
		// cell design: per-cell sums of w, w′, w″ in the first p entries
		mm, m1, m2 = mm[:p], m1[:p], m2[:p]
	}
	clear(mm)
	clear(m1)
	clear(m2)
	const halfLog2Pi = 0.91893853320467274178
	ll := 0.0
	for j := 0; j < m; j++ {
		mj, yj := mu[j], y[j]
		am := alpha * mj
		iq := 1 / (1 + am)
		l1p := log1pFast(am)
		var d1, t1 float64 // ψ(y+r) − ψ(r), ψ₁(y+r) − ψ₁(r)
		if yj > 0 {
			if yj <= smallCount {
				// P(r) = Π_{k<y} (r+k) with P′ and P″ by the product rule:
				// Σ 1/(r+k) = P′/P and −Σ 1/(r+k)² = P″/P − (P′/P)², two
				// divisions instead of y
				p0, p1, p2 := 1.0, 0.0, 0.0
				for k := 0.0; k < yj; k++ {
					rk := r + k
					p2 = p2*rk + 2*p1
					p1 = p1*rk + p0
					p0 *= rk
				}
				ip := 1 / p0
				d1 = p1 * ip
				t1 = p2*ip - d1*d1
				if wantValue {
					ll += fastLog(p0) - yj*(logR+l1p)
				}
			} else if r >= smallAlphaRatio*yj {
				var lg float64
				lg, d1, t1 = smallAlphaSums(yj, r)
				if wantValue {
					ll += lg - yj*l1p
				}
			} else {
				// the series of digammaLargeLog, trigammaLarge and
				// lgammaLargeLog sharing 1/x and log x
				if !haveR {
					psiR, psi1R, lgr = polygammaR(r)
					haveR = true
				}
				x := yj + r
				lx := fastLog(x)
				z := 1 / x
				z2 := z * z
				d1 = lx - 0.5*z - z2*(1.0/12-z2*(1.0/120-z2*(1.0/252-z2*(1.0/240-z2*(1.0/132))))) - psiR
				t1 = z + z2*(0.5+z*(1.0/6-z2*(1.0/30-z2*(1.0/42-z2*(1.0/30-z2*(5.0/66)))))) - psi1R
				if wantValue {
					lg := (x-0.5)*lx - x + halfLog2Pi + z*(1.0/12-z2*(1.0/360-z2*(1.0/1260-z2*(1.0/1680-z2*(1.0/1188)))))
					ll += lg - lgr - yj*(logR+l1p)
				}
			}
		}
		if wantValue {
			ll -= r * l1p
		}
		fp := d1 - l1p + alpha*(mj-yj)*iq
		g -= r * fp
		h += r*fp + r*r*t1 + (am*mj+yj)*iq*iq
		w := mj * iq
		w1 := -am * mj * iq * iq
		w2 := w1 * (1 - am) * iq
		if cell != nil {
			c := cell[j]
			mm[c] += w
			m1[c] += w1
			m2[c] += w2
			continue
		}
		row := d.x[j*p : (j+1)*p]
		for a := 0; a < p; a++ {
			ra := row[a]
			for b := 0; b <= a; b++ {
				rab := ra * row[b]
				mm[a*p+b] += w * rab
				m1[a*p+b] += w1 * rab
				m2[a*p+b] += w2 * rab
			}
		}
	}
	if cell != nil {
		// XᵀWX = Uᵀ diag(S_c) U: log det = 2 log|det U| + Σ log S_c, and
		// M⁻¹M′ = U⁻¹ diag(S′_c/S_c) U
		prod := 1.0
		tr1, tr2, trAA := 0.0, 0.0, 0.0
		for c := 0; c < p; c++ {
			prod *= mm[c]
			q1 := m1[c] / mm[c]
			tr1 += q1
			tr2 += m2[c] / mm[c]
			trAA += q1 * q1
		}
		if wantValue {
			ll -= 0.5 * (d.glm.cellLogDet + fastLog(prod))
		} else {
			ll = math.NaN()
		}
		g -= 0.5 * tr1
		h -= 0.5 * (tr2 - trAA)
	} else {
		for a := 0; a < p; a++ {
			for b := 0; b < a; b++ {
				mm[b*p+a] = mm[a*p+b]
				m1[b*p+a] = m1[a*p+b]
				m2[b*p+a] = m2[a*p+b]
			}
		}
		if wantValue {
			ll -= 0.5 * logDetCholesky(mm, p, ws.chol)
		} else {
			ll = math.NaN()
		}
		inv := ws.dinv[:pp]
		if cholInverse(mm, p, inv, ws.chol) {
			tr1, tr2, trAA := 0.0, 0.0, 0.0
			aa := ws.daa[:pp] // A = M⁻¹M′
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					s := 0.0
					for k := 0; k < p; k++ {
						s += inv[a*p+k] * m1[k*p+b]
					}
					aa[a*p+b] = s
					tr1 += inv[a*p+b] * m1[b*p+a]
					tr2 += inv[a*p+b] * m2[b*p+a]
				}
			}
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					trAA += aa[a*p+b] * aa[b*p+a]
				}
			}
			g -= 0.5 * tr1
			h -= 0.5 * (tr2 - trAA)
		}
	}
	if priorVar > 0 {
		dd := logA - priorMean
		ll -= dd * dd / (2 * priorVar)
		g -= dd / priorVar
		h -= 1 / priorVar
	}
	return ll, g, h
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
