package diffexp

import (
	"math"
)

// Constants of the negative-binomial GLM fit, as documented for DESeq2
// 1.38 (nbinomWaldTest / fitNbinomGLMs defaults).
const (
	glmMaxIter = 100
	glmBetaTol = 1e-8 // relative deviance change for convergence
	glmLarge   = 30   // |β| (natural log scale) beyond which IRLS gives up
	glmMinMu   = 0.5  // fitted means are floored at this value
	ridgeLog2  = 1e-6 // ridge penalty on log2-scale coefficients
)

// glmModel is what every row fit shares: the design and the size factors.
type glmModel struct {
	x      []float64 // m × p row-major
	m, p   int
	sf     []float64
	lambda float64 // ridge on the natural-log scale
	// logSf and logMinMu are log s_j and log 0.5 (per sample, to keep the
	// floor branch of setMu simple).
	logSf, logMinMu []float64
	// needDev: finish computes the final deviance (LRT); otherwise ws.dev
	// holds the last IRLS deviance.
	needDev bool
	// interceptOnly: the design is a single column of ones.
	interceptOnly bool
	// init maps log(normalised count + 0.1) to starting coefficients:
	// (XᵀX)⁻¹Xᵀ, p × m row-major.
	init []float64
	// For a design whose samples fall into exactly p cells (distinct
	// design rows), cell is each sample's cell and cellInv maps the cells'
	// linear predictors to coefficients (the inverse of the p × p matrix of
	// distinct rows); nil otherwise. Such rows are fitted cell by cell.
	cell    []int
	cellInv []float64
	// cellLogDet is 2 log|det U| for the matrix U of distinct rows;
	// cellRows is U (p × p, row c = design row of cell c).
	cellLogDet float64
	cellRows   []float64
	// cellOrder lists the samples cell by cell; cell c's are
	// cellOrder[cellStart[c]:cellStart[c+1]].
	cellOrder, cellStart []int
}

func newGLMModel(x []float64, m, p int, sf []float64) *glmModel {
	g := &glmModel{x: x, m: m, p: p, sf: sf, lambda: ridgeLog2 / (math.Ln2 * math.Ln2)}
	g.logSf = make([]float64, m)
	g.logMinMu = make([]float64, m)
	for j := range sf {
		g.logSf[j] = math.Log(sf[j])
		g.logMinMu[j] = math.Log(glmMinMu)
	}
	if p == 1 {
		g.interceptOnly = true
		for j := 0; j < m; j++ {
			g.interceptOnly = g.interceptOnly && x[j] == 1
		}
	}
	xtx := make([]float64, p*p)
	for j := 0; j < m; j++ {
		r := x[j*p : (j+1)*p]
		for a := 0; a < p; a++ {
			for b := 0; b < p; b++ {
				xtx[a*p+b] += r[a] * r[b]
			}
		}
	}
	g.cellDesign()
	inv := make([]float64, p*p)
	if !cholInverse(xtx, p, inv, make([]float64, p*p)) {
		// Full rank was checked when the design was built; keep zeros.
		return g
	}
	g.init = make([]float64, p*m)
	for a := 0; a < p; a++ {
		for j := 0; j < m; j++ {
			s := 0.0
			for b := 0; b < p; b++ {
				s += inv[a*p+b] * x[j*p+b]
			}
			g.init[a*m+j] = s
		}
	}
	return g
}

// cellDesign sets g.cell and g.cellInv when the samples fall into exactly
// p distinct design rows forming an invertible matrix.
func (g *glmModel) cellDesign() {
	m, p, x := g.m, g.p, g.x
	cell := make([]int, m)
	var rows [][]float64
	for j := 0; j < m; j++ {
		r := x[j*p : (j+1)*p]
		id := -1
		for k, u := range rows {
			same := true
			for a := range u {
				same = same && u[a] == r[a]
			}
			if same {
				id = k
				break
			}
		}
		if id < 0 {
			if len(rows) == p {
				return
			}
			id = len(rows)
			rows = append(rows, r)
		}
		cell[j] = id
	}
	if len(rows) != p {
		return
	}
	// Gauss–Jordan inversion with partial pivoting of U (rows = cells)
	logDet := 0.0
	u := make([]float64, p*2*p)
	for a := 0; a < p; a++ {
		copy(u[a*2*p:], rows[a])
		u[a*2*p+p+a] = 1
	}
	for c := 0; c < p; c++ {
		piv := c
		for a := c + 1; a < p; a++ {
			if math.Abs(u[a*2*p+c]) > math.Abs(u[piv*2*p+c]) {
				piv = a
			}
		}
		if math.Abs(u[piv*2*p+c]) < 1e-12 {
			return
		}
		for k := 0; k < 2*p; k++ {
			u[c*2*p+k], u[piv*2*p+k] = u[piv*2*p+k], u[c*2*p+k]
		}
		d := u[c*2*p+c]
		logDet += math.Log(math.Abs(d))
		for k := 0; k < 2*p; k++ {
			u[c*2*p+k] /= d
		}
		for a := 0; a < p; a++ {
			if a != c {
				f := u[a*2*p+c]
				for k := 0; k < 2*p; k++ {
					u[a*2*p+k] -= f * u[c*2*p+k]
				}
			}
		}
	}
	g.cellInv = make([]float64, p*p)
	for a := 0; a < p; a++ {
		copy(g.cellInv[a*p:(a+1)*p], u[a*2*p+p:(a+1)*2*p])
	}
	g.cell = cell
	g.cellLogDet = 2 * logDet
	g.cellRows = make([]float64, p*p)
	for c, r := range rows {
		copy(g.cellRows[c*p:(c+1)*p], r)
	}
	g.cellStart = make([]int, p+1)
	for c := 0; c < p; c++ {
		g.cellStart[c] = len(g.cellOrder)
		for j := 0; j < m; j++ {
			if cell[j] == c {
				g.cellOrder = append(g.cellOrder, j)
			}
		}
	}
	g.cellStart[p] = m
}

// fitCells fits a row of a cell design: each cell's mean solves its own
// one-dimensional likelihood equation Σ_j (y_j − μ_j)/(1 + αμ_j) = 0,
// μ_j = s_j e^η, by Newton's method from the log mean normalised count
// (the log likelihood is concave in η). It reports false, leaving the row
// to IRLS, when a cell has no counts, a fitted mean falls below the floor
// glmMinMu or Newton's method does not settle. The ridge penalty of IRLS
// (λ ≈ 2e-6 on the natural-log scale) is left out here; it moves the
// coefficients by about λβ/Σw, far below the agreement targets.
func (g *glmModel) fitCells(ws *glmWork, y []float64, alpha float64) bool {
	m, p := g.m, g.p
	eta := ws.rhs[:p]
	sum := ws.tmp[:p] // Σ y/s per cell, then counts per cell in tmp[p:]
	clear(sum)
	n := ws.tmp[p : 2*p]
	clear(n)
	for j := 0; j < m; j++ {
		c := g.cell[j]
		sum[c] += y[j] / g.sf[j]
		n[c]++
	}
	for c := 0; c < p; c++ {
		if !(sum[c] > 0) {
			return false
		}
		e := math.Log(sum[c] / n[c])
		ok := false
		samples := g.cellOrder[g.cellStart[c]:g.cellStart[c+1]]
		for it := 0; it < 50; it++ {
			E := math.Exp(e)
			f, df := 0.0, 0.0
			for _, j := range samples {
				mu := g.sf[j] * E
				iq := 1 / (1 + alpha*mu)
				f += (y[j] - mu) * iq
				df += mu * (1 + alpha*y[j]) * iq * iq
			}
			step := f / df
			step = math.Max(-5, math.Min(5, step))
			e += step
			if math.Abs(step) < 1e-4 { // the step just taken leaves ~1e-8
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
		eta[c] = e
	}
	beta := ws.beta[:p]
	for a := 0; a < p; a++ {
		s := 0.0
		for c := 0; c < p; c++ {
			s += g.cellInv[a*p+c] * eta[c]
		}
		beta[a] = s
	}
	expEta := sum // e^η per cell
	for c := 0; c < p; c++ {
		expEta[c] = math.Exp(eta[c])
	}
	for j := 0; j < m; j++ {
		c := g.cell[j]
		mu := g.sf[j] * expEta[c]
		if mu < glmMinMu {
			return false
		}
		ws.mu[j] = mu
		ws.eta[j] = eta[c]
		ws.z[j] = g.logSf[j] + eta[c]
	}
	return true
}

// glmWork is one worker's scratch space and the result of its last fit.
type glmWork struct {
	beta, betaNew []float64 // p, natural log scale
	mu, w, z, eta []float64 // m; mu is floored at glmMinMu
	muRaw         []float64 // m, s_j exp(x_j β) without the floor
	hat           []float64 // m
	xtwx, a, ainv []float64 // p × p
	cov           []float64 // p × p sandwich covariance (natural log scale)
	rhs, tmp      []float64
	chol          []float64
	dev           float64 // −2 log likelihood
	conv          bool
	cellFit       bool // the last fit was fitCells'
	iter          int
}

func newGLMWork(m, p int) *glmWork {
	return &glmWork{
		beta: make([]float64, p), betaNew: make([]float64, p),
		mu: make([]float64, m), muRaw: make([]float64, m), w: make([]float64, m), z: make([]float64, m), eta: make([]float64, m),
		hat: make([]float64, m), xtwx: make([]float64, p*p), a: make([]float64, p*p),
		ainv: make([]float64, p*p), cov: make([]float64, p*p), rhs: make([]float64, p),
		tmp: make([]float64, max(p*p, 2*p)), chol: make([]float64, p*p),
	}
}

// nbLogLik is the negative-binomial log density of y given mean mu and
// dispersion alpha (size 1/alpha), as R's dnbinom(log=TRUE).
func nbLogLik(y, mu, alpha float64) float64 {
	r := 1 / alpha
	lg1, _ := math.Lgamma(y + r)
	lg2, _ := math.Lgamma(r)
	lg3, _ := math.Lgamma(y + 1)
	ll := lg1 - lg2 - lg3 - r*math.Log1p(mu*alpha)
	if y > 0 {
		ll += y * (math.Log(mu) - math.Log(mu+r))
	}
	return ll
}

// fit fits the NB GLM of counts y with dispersion alpha by IRLS, leaving the
// coefficients, fitted means, weights, covariance and hat values in w.
// It reports whether IRLS converged; rows that do not are refitted by
// quasi-Newton optimisation of the penalised likelihood.
func (g *glmModel) fit(ws *glmWork, y []float64, alpha float64) bool {
	m, p, x, init := g.m, g.p, g.x, g.init
	beta := ws.beta[:p]
	if g.interceptOnly {
		// DESeq2 takes the intercept-only fit in closed form: the log of
		// the mean normalised count.
		s := 0.0
		for j := 0; j < m; j++ {
			s += y[j] / g.sf[j]
		}
		beta[0] = math.Log(s / float64(m))
		for j := 0; j < m; j++ {
			ws.mu[j] = math.Max(g.sf[j]*math.Exp(beta[0]), glmMinMu)
		}
		ws.conv, ws.iter = true, 0
		g.finish(ws, y, alpha)
		return true
	}
	ws.cellFit = false
	if g.cell != nil && g.fitCells(ws, y, alpha) {
		ws.conv, ws.iter, ws.cellFit = true, 0, true
		g.finish(ws, y, alpha)
		return true
	}
	// starting values: least squares of log(normalised + 0.1)
	for a := 0; a < p; a++ {
		s := 0.0
		for j := 0; j < m; j++ {
			s += init[a*m+j] * math.Log(y[j]/g.sf[j]+0.1)
		}
		beta[a] = s
	}
	for j := 0; j < m; j++ {
		g.setMu(ws, j, dot(x[j*p:(j+1)*p], beta))
	}
	dc := nbConst(y, alpha)
	devOld := 0.0
	ws.conv = false
	ws.iter = 0
	for it := 0; it < glmMaxIter; it++ {
		ws.iter = it + 1
		xtwx := ws.a[:p*p]
		clear(xtwx)
		rhs := ws.rhs[:p]
		clear(rhs)
		for j := 0; j < m; j++ {
			mu := ws.mu[j]
			wj := mu / (1 + alpha*mu)
			zj := ws.eta[j] + (y[j]-mu)/mu // log(μ/s) + (y−μ)/μ
			r := x[j*p : (j+1)*p]
			for a := 0; a < p; a++ {
				wa := wj * r[a]
				rhs[a] += wa * zj
				for b := 0; b <= a; b++ {
					xtwx[a*p+b] += wa * r[b]
				}
			}
		}
		for a := 0; a < p; a++ {
			xtwx[a*p+a] += g.lambda
			for b := 0; b < a; b++ {
				xtwx[b*p+a] = xtwx[a*p+b]
			}
		}
		if !cholSolve(xtwx, p, rhs, ws.chol) {
			break
		}
		copy(beta, rhs)
		if !coefsOK(beta) {
			break
		}
		for j := 0; j < m; j++ {
			g.setMu(ws, j, dot(x[j*p:(j+1)*p], beta))
		}
		dev := nbDevianceLog(y, ws.mu[:m], ws.z[:m], alpha, dc)
		ws.dev = dev
		if it > 0 && math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < glmBetaTol {
			ws.conv = true
			break
		}
		devOld = dev
	}
	if !ws.conv {
		g.fitOptim(ws, y, alpha)
	}
	g.finish(ws, y, alpha)
	return ws.conv
}

// setMu sets sample j's fitted mean from its linear predictor η = x_jβ:
// μ = max(s_j e^η, 0.5), with ws.eta[j] = log(μ/s_j) and ws.z[j] = log μ
// kept so that IRLS needs no logarithm of μ.
func (g *glmModel) setMu(ws *glmWork, j int, eta float64) {
	mu := g.sf[j] * math.Exp(eta)
	if mu < glmMinMu {
		mu = glmMinMu
		eta = g.logMinMu[j] - g.logSf[j]
	}
	ws.mu[j] = mu
	ws.eta[j] = eta
	ws.z[j] = g.logSf[j] + eta
}

// finish computes weights, the sandwich covariance and hat values at the
// current fitted means.
func (g *glmModel) finish(ws *glmWork, y []float64, alpha float64) {
	m, p, x := g.m, g.p, g.x
	xtwx := ws.xtwx[:p*p]
	clear(xtwx)
	if ws.cellFit {
		// XᵀWX = Σ_c (Σ_{j∈c} w_j) u_c u_cᵀ
		sw := ws.betaNew[:p]
		clear(sw)
		for j := 0; j < m; j++ {
			mu := ws.mu[j]
			wj := mu / (1 + alpha*mu)
			ws.w[j] = wj
			sw[g.cell[j]] += wj
		}
		for c := 0; c < p; c++ {
			u := g.cellRows[c*p : (c+1)*p]
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					xtwx[a*p+b] += sw[c] * u[a] * u[b]
				}
			}
		}
	} else {
		for j := 0; j < m; j++ {
			mu := ws.mu[j]
			wj := mu / (1 + alpha*mu)
			ws.w[j] = wj
			r := x[j*p : (j+1)*p]
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					xtwx[a*p+b] += wj * r[a] * r[b]
				}
			}
		}
	}
	a := ws.a[:p*p]
	copy(a, xtwx)
	for k := 0; k < p; k++ {
		a[k*p+k] += g.lambda
	}
	ainv := ws.ainv[:p*p]
	if !cholInverse(a, p, ainv, ws.chol) {
		for k := range ainv {
			ainv[k] = math.NaN()
		}
	}
	// cov = A⁻¹ XᵀWX A⁻¹
	tmp := ws.tmp[:p*p]
	matMul(tmp, ainv, xtwx, p)
	matMul(ws.cov[:p*p], tmp, ainv, p)
	if ws.cellFit {
		// hat values: w_j u_cᵀ A⁻¹ u_c; μ has no floor applied
		q := ws.betaNew[:p]
		for c := 0; c < p; c++ {
			q[c] = quadForm(ainv, g.cellRows[c*p:(c+1)*p], p)
		}
		for j := 0; j < m; j++ {
			ws.hat[j] = ws.w[j] * q[g.cell[j]]
		}
		copy(ws.muRaw[:m], ws.mu[:m])
	} else {
		for j := 0; j < m; j++ {
			ws.hat[j] = ws.w[j] * quadForm(ainv, x[j*p:(j+1)*p], p)
		}
		// The likelihood (deviance, LRT) and Cook's distances use the means
		// without the floor, as DESeq2 recomputes them from the coefficients.
		for j := 0; j < m; j++ {
			ws.muRaw[j] = g.sf[j] * math.Exp(dot(x[j*p:(j+1)*p], ws.beta[:p]))
		}
	}
	if g.needDev {
		ws.dev = nbDeviance(y, ws.muRaw[:m], alpha, nbConst(y, alpha))
	}
}

// nbConst is the part of the NB log likelihood that does not depend on μ:
// Σ_j lgamma(y_j + r) − lgamma(r) − lgamma(y_j + 1), r = 1/α.
func nbConst(y []float64, alpha float64) float64 {
	r := 1 / alpha
	lgr, _ := math.Lgamma(r)
	c := 0.0
	for _, v := range y {
		if v > 0 {
			lf, _ := math.Lgamma(v + 1)
			c += lgammaDiff(v, r, lgr) - lf
		}
	}
	return c
}

// nbDevianceLog is nbDeviance with logMu = log μ supplied.
func nbDevianceLog(y, mu, logMu []float64, alpha, c float64) float64 {
	r := 1 / alpha
	logR := math.Log(r)
	ll := c
	for j, v := range y {
		l1p := log1pFast(mu[j] * alpha)
		ll -= r * l1p
		if v > 0 {
			ll += v * (logMu[j] - logR - l1p)
		}
	}
	return -2 * ll
}

// nbDeviance is −2 × the NB log likelihood of y given means mu (as
// Σ R's dnbinom(log = TRUE)), with c = nbConst(y, alpha).
func nbDeviance(y, mu []float64, alpha, c float64) float64 {
	r := 1 / alpha
	logR := math.Log(r)
	ll := c
	for j, v := range y {
		l1p := math.Log1p(mu[j] * alpha)
		ll -= r * l1p
		if v > 0 {
			ll += v * (math.Log(mu[j]) - logR - l1p)
		}
	}
	return -2 * ll
}

// quadForm returns rᵀ a r for a p × p matrix a.
func quadForm(a, r []float64, p int) float64 {
	h := 0.0
	for i := 0; i < p; i++ {
		s := 0.0
		for k := 0; k < p; k++ {
			s += a[i*p+k] * r[k]
		}
		h += r[i] * s
	}
	return h
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// matMul sets dst = a·b for p × p matrices.
func matMul(dst, a, b []float64, p int) {
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			s := 0.0
			for k := 0; k < p; k++ {
				s += a[i*p+k] * b[k*p+j]
			}
			dst[i*p+j] = s
		}
	}
}

// cholesky factors the symmetric positive-definite p × p matrix a into the
// lower triangle l (a = l lᵀ). It reports false if a is not positive
// definite. Not gonum's mat.Cholesky: the fits factor a p ≤ 4 matrix once
// per likelihood evaluation, and there mat.Cholesky (whose Factorize also
// estimates the condition number) took 3–7 µs and 3 allocations against
// 30–100 ns and none for factor plus log determinant here
// (BenchmarkCholesky; TestCholeskyMatchesGonum checks they agree).
func cholesky(a []float64, p int, l []float64) bool {
	clear(l[:p*p])
	for i := 0; i < p; i++ {
		for j := 0; j <= i; j++ {
			s := a[i*p+j]
			for k := 0; k < j; k++ {
				s -= l[i*p+k] * l[j*p+k]
			}
			if i == j {
				if !(s > 0) {
					return false
				}
				l[i*p+i] = math.Sqrt(s)
			} else {
				l[i*p+j] = s / l[j*p+j]
			}
		}
	}
	return true
}

// cholSolve solves a x = b in place of b using scratch l.
func cholSolve(a []float64, p int, b, l []float64) bool {
	if !cholesky(a, p, l) {
		return false
	}
	cholSubst(l, p, b)
	return true
}

// cholSubst solves l lᵀ x = b in place of b by forward and back
// substitution with the Cholesky factor l.
func cholSubst(l []float64, p int, b []float64) {
	for i := 0; i < p; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*p+k] * b[k]
		}
		b[i] = s / l[i*p+i]
	}
	for i := p - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < p; k++ {
			s -= l[k*p+i] * b[k]
		}
		b[i] = s / l[i*p+i]
	}
}

// cholInverse writes a⁻¹ into inv using scratch l.
func cholInverse(a []float64, p int, inv, l []float64) bool {
	if !cholesky(a, p, l) {
		return false
	}
	for c := 0; c < p; c++ {
		col := inv[c*p : (c+1)*p] // solve into row c (symmetric result)
		for i := range col {
			col[i] = 0
		}
		col[c] = 1
		cholSubst(l, p, col)
	}
	return true
}

// logDetCholesky returns log det a, or NaN when a is not positive definite.
func logDetCholesky(a []float64, p int, l []float64) float64 {
	if !cholesky(a, p, l) {
		return math.NaN()
	}
	prod := 1.0
	for i := 0; i < p; i++ {
		prod *= l[i*p+i]
	}
	return 2 * fastLog(prod)
}

// fitOptim maximises the ridge-penalised NB log likelihood by Fisher
// scoring with step halving (every step must increase the penalised
// likelihood), starting from the current coefficients or from the log mean.
// It is the fallback for rows where plain IRLS does not converge. Not
// gonum's optimize: it imports golang.org/x/tools (via stat/distmv), a
// further module, and on a 3 + 3 row (optim_bench_test.go, build tag
// gonumoptimize) optimize.Newton with the same gradient and information
// took ~50 µs and 67 allocations against ~5 µs and none here, and failed
// ("linesearch: failed to converge") unless its gradient threshold was
// loosened from 1e-12 to 1e-6; both reach the same optimum.
func (g *glmModel) fitOptim(ws *glmWork, y []float64, alpha float64) {
	m, p, x := g.m, g.p, g.x
	beta := ws.beta[:p]
	if !coefsOK(beta) {
		clear(beta)
		s := 0.0
		for j := 0; j < m; j++ {
			s += y[j] / g.sf[j]
		}
		beta[0] = math.Log(math.Max(s/float64(m), 0.1))
	}
	r := 1 / alpha
	obj := func(b []float64) float64 {
		f := 0.0
		for j := 0; j < m; j++ {
			mu := g.sf[j] * math.Exp(dot(x[j*p:(j+1)*p], b))
			f += nbLogLik(y[j], mu, alpha)
		}
		for _, v := range b {
			f -= g.lambda / 2 * v * v
		}
		return f
	}
	cur := obj(beta)
	next := ws.betaNew[:p]
	for it := 0; it < 500; it++ {
		info := ws.a[:p*p]
		clear(info)
		grad := ws.rhs[:p]
		clear(grad)
		for j := 0; j < m; j++ {
			row := x[j*p : (j+1)*p]
			mu := g.sf[j] * math.Exp(dot(row, beta))
			d := (y[j] - mu) * r / (r + mu)
			wj := mu / (1 + alpha*mu)
			for a := 0; a < p; a++ {
				grad[a] += d * row[a]
				for b := 0; b < p; b++ {
					info[a*p+b] += wj * row[a] * row[b]
				}
			}
		}
		for a := 0; a < p; a++ {
			grad[a] -= g.lambda * beta[a]
			info[a*p+a] += g.lambda
		}
		if !cholSolve(info, p, grad, ws.chol) {
			break
		}
		step := 1.0
		improved := false
		for h := 0; h < 40; h++ {
			for a := range next {
				next[a] = beta[a] + step*grad[a]
			}
			if v := obj(next); v >= cur {
				improved = v-cur > 1e-12*(math.Abs(cur)+0.1)
				cur = v
				copy(beta, next)
				break
			}
			step /= 2
		}
		if !improved {
			break
		}
	}
	for j := 0; j < m; j++ {
		mu := g.sf[j] * math.Exp(dot(x[j*p:(j+1)*p], beta))
		if mu < glmMinMu {
			mu = glmMinMu
		}
		ws.mu[j] = mu
	}
}
