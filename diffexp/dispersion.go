package diffexp

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Dispersion constants, DESeq2 1.38 defaults (estimateDispersions help page).
const (
	minDisp   = 1e-8 // lower bound of every dispersion estimate
	outlierSD = 2    // gene-wise estimates this many SDs above the trend are kept
)

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
