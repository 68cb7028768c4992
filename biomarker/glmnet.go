package biomarker

import (
	"context"
	"fmt"
	"math"
	"sort"
)

// glmnet.control's factory defaults (glmnet 4.1-6), used as fixed constants.
const (
	netFDev   = 1e-5   // path stops when the explained deviance grows less
	netDevMax = 0.999  // path stops when this fraction of the deviance is explained
	netMnLam  = 5      // ... but never before this many λ
	netPMin   = 1e-9   // probabilities are kept in [pmin, 1-pmin]
	netEps    = 1e-6   // smallest λ ratio
	netBig    = 9.9e35 // "infinite" λ of the first path point
)

// NetOptions are the settings of Fit. The zero value (and every zero
// field) means glmnet's defaults.
type NetOptions struct {
	// Lambda is a user λ sequence (fitted in decreasing order, as glmnet);
	// nil means glmnet's own sequence.
	Lambda []float64
	// NLambda is the length of glmnet's sequence (default 100).
	NLambda int
	// LambdaMinRatio is λ_min/λ_max (default 0.01 when there are fewer
	// samples than features, else 1e-4).
	LambdaMinRatio float64
	// Thresh is the coordinate-descent convergence threshold relative to the
	// null deviance (default 1e-7).
	Thresh float64
	// MaxIt is the maximum number of passes over the data for all λ
	// (default 100,000).
	MaxIt int
}

// Path is an elastic-net logistic regression path. Coefficients are on the
// original scale of x.
type Path struct {
	Lambda    []float64
	Intercept []float64
	// Beta[k][j] is feature j's coefficient at Lambda[k].
	Beta [][]float64
	// DevRatio[k] is the fraction of the null deviance explained at Lambda[k].
	DevRatio []float64
	// NullDev is the null deviance per unit weight (weights sum to 1).
	NullDev float64
	// Warning is non-empty when the path was cut short because coordinate
	// descent did not converge within MaxIt passes (as glmnet's warning).
	Warning string
}

// Fit fits an elastic-net logistic regression of the 0/1 outcome y on the
// n × p matrix x (row-major: x[i*p+j] is sample i, feature j) with glmnet's
// semantics (family = "binomial", standardize = TRUE, intercept = TRUE,
// equal weights, type.logistic = "Newton"). alpha mixes the penalties:
//
//	min  −(1/n) Σ loglik_i(β0, β) + λ [(1−α)/2 ‖β̃‖² + α ‖β̃‖₁]
//
// where β̃ are the coefficients of the standardized features (population
// standard deviation). Constant features are left out (coefficient 0). The
// default λ sequence runs geometrically from λ_max = max_j |x̃_jᵀ(y − ȳ)|/n /
// max(α, 0.001) down to λ_max·LambdaMinRatio, and stops early as glmnet does
// (after at least 5 λ, when the explained deviance exceeds 0.999 or grows by
// less than 1e-5); the first λ reported is extrapolated from the next two.
//
// ctx is checked before each λ; when it is cancelled Fit returns an error
// matching ctx.Err() under errors.Is.
func Fit(ctx context.Context, x []float64, n, p int, y []float64, alpha float64, o NetOptions) (*Path, error) {
	if n < 2 || p < 1 || len(x) != n*p || len(y) != n {
		return nil, fmt.Errorf("%w: %d values for %d samples × %d features, %d outcomes", ErrShape, len(x), n, p, len(y))
	}
	if !(alpha >= 0 && alpha <= 1) {
		return nil, fmt.Errorf("%w: alpha %g not in [0, 1]", ErrOption, alpha)
	}
	opt := o
	if opt.NLambda == 0 {
		opt.NLambda = 100
	}
	if opt.LambdaMinRatio == 0 {
		opt.LambdaMinRatio = 1e-4
		if n < p {
			opt.LambdaMinRatio = 0.01
		}
	}
	if opt.Thresh == 0 {
		opt.Thresh = 1e-7
	}
	if opt.MaxIt == 0 {
		opt.MaxIt = 100000
	}
	ulam := append([]float64(nil), opt.Lambda...)
	for _, l := range ulam {
		if !(l >= 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("%w: lambda %g", ErrOption, l)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(ulam)))
	if len(ulam) == 0 && (opt.NLambda < 1 || !(opt.LambdaMinRatio > 0 && opt.LambdaMinRatio < 1)) {
		return nil, fmt.Errorf("%w: nlambda %d, lambda.min.ratio %g", ErrOption, opt.NLambda, opt.LambdaMinRatio)
	}
	for _, v := range y {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("%w: outcome %g is not 0 or 1", ErrOption, v)
		}
	}
	s := newNetState(x, n, p, y)
	if s.q0 <= netPMin || s.q0 >= 1-netPMin {
		return nil, fmt.Errorf("%w: every sample has the same outcome", ErrOneClass)
	}
	pt, err := s.path(ctx, alpha, ulam, opt)
	if err != nil {
		return nil, err
	}
	if len(pt.Lambda) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrConvergence, pt.Warning)
	}
	return pt, nil
}

// netState is the working state of one fit on standardized, column-major x.
type netState struct {
	n, p   int
	xs     []float64 // standardized features, column-major
	mean   []float64
	sd     []float64
	use    []bool // not constant
	y      []float64
	w      float64 // every weight (1/n)
	q0     float64
	b0     float64
	b      []float64
	active []int // ever-active features, in order of entry
	isAct  []bool
	strong []bool
	q, v   []float64
	r      []float64 // w(y − q) minus the current WLS fit's change
	xv     []float64
	vx     []float64 // v∘x_j of the strong features, column-major
	pendD  float64   // a residual change r -= pendD·pendX not yet applied
	pendX  []float64
	vsum   float64
	nlp    int
}

func newNetState(x []float64, n, p int, y []float64) *netState {
	s := &netState{n: n, p: p, y: y, w: 1 / float64(n)}
	s.xs = make([]float64, n*p)
	s.mean, s.sd = make([]float64, p), make([]float64, p)
	s.use = make([]bool, p)
	for j := 0; j < p; j++ {
		col := s.xs[j*n : (j+1)*n]
		m := 0.0
		for i := 0; i < n; i++ {
			col[i] = x[i*p+j]
			m += s.w * col[i]
			if col[i] != col[0] {
				s.use[j] = true
			}
		}
		if !s.use[j] {
			continue
		}
		ss := 0.0
		for i := range col {
			col[i] -= m
			ss += s.w * col[i] * col[i]
		}
		sd := math.Sqrt(ss)
		for i := range col {
			col[i] /= sd
		}
		s.mean[j], s.sd[j] = m, sd
	}
	for _, v := range y {
		s.q0 += s.w * v
	}
	s.b = make([]float64, p)
	s.isAct, s.strong = make([]bool, p), make([]bool, p)
	s.q, s.v, s.r = make([]float64, n), make([]float64, n), make([]float64, n)
	s.xv = make([]float64, p)
	s.vx = make([]float64, n*p)
	return s
}

func (s *netState) col(j int) []float64 { return s.xs[j*s.n : (j+1)*s.n] }

// dot is Σ a_i b_i, four partial sums (for instruction-level
// parallelism; the order is fixed, so results are reproducible).
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		t0 += a[i] * b[i]
		t1 += a[i+1] * b[i+1]
		t2 += a[i+2] * b[i+2]
		t3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		t0 += a[i] * b[i]
	}
	return (t0 + t1) + (t2 + t3)
}

// axpyDot sets y -= d·x and returns Σ y_i c_i of the updated y, with
// dot's summation order.
func axpyDot(d float64, x, y, c []float64) float64 {
	x, c = x[:len(y)], c[:len(y)]
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+4 <= len(y); i += 4 {
		y0 := y[i] - d*x[i]
		y1 := y[i+1] - d*x[i+1]
		y2 := y[i+2] - d*x[i+2]
		y3 := y[i+3] - d*x[i+3]
		y[i], y[i+1], y[i+2], y[i+3] = y0, y1, y2, y3
		t0 += y0 * c[i]
		t1 += y1 * c[i+1]
		t2 += y2 * c[i+2]
		t3 += y3 * c[i+3]
	}
	for ; i < len(y); i++ {
		y[i] -= d * x[i]
		t0 += y[i] * c[i]
	}
	return (t0 + t1) + (t2 + t3)
}

// axpy sets y -= d·x.
func axpy(d float64, x, y []float64) {
	x = x[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		y[i] -= d * x[i]
		y[i+1] -= d * x[i+1]
		y[i+2] -= d * x[i+2]
		y[i+3] -= d * x[i+3]
	}
	for ; i < len(y); i++ {
		y[i] -= d * x[i]
	}
}

// deviance is −Σ w (y log q + (1−y) log(1−q)) with q kept in [pmin, 1−pmin].
func (s *netState) deviance() float64 {
	d := 0.0
	for i, yi := range s.y {
		q := min(max(s.q[i], netPMin), 1-netPMin)
		d -= s.w * (yi*math.Log(q) + (1-yi)*math.Log(1-q))
	}
	return d
}

// path fits the λ sequence (user ulam, or glmnet's own).
func (s *netState) path(ctx context.Context, alpha float64, ulam []float64, opt NetOptions) (*Path, error) {
	p := s.p
	fmax := math.Log(1/netPMin - 1)
	vmin := (1 + netPMin) * netPMin * (1 - netPMin)
	q0 := s.q0
	s.b0 = math.Log(q0 / (1 - q0))
	for i := range s.q {
		s.q[i] = q0
		s.v[i] = s.w * q0 * (1 - q0)
		s.r[i] = s.w * (s.y[i] - q0)
	}
	s.vsum = q0 * (1 - q0)
	nullDev := -(s.b0*q0 + math.Log(1-q0))
	thr := opt.Thresh * nullDev
	ga := make([]float64, p)
	nlam := len(ulam)
	alf := 1.0
	if nlam == 0 {
		nlam = opt.NLambda
		if nlam > 1 {
			alf = math.Pow(max(netEps, opt.LambdaMinRatio), 1/float64(nlam-1))
		}
	}
	out := &Path{NullDev: nullDev}
	lam, lamPrev := 0.0, 0.0
	for m := 0; m < nlam; m++ {
		if err := cancelled(ctx); err != nil {
			return nil, err
		}
		lamPrev = lam
		for j := 0; j < p; j++ {
			if s.use[j] {
				ga[j] = math.Abs(dot(s.r, s.col(j)))
			}
		}
		switch {
		case len(ulam) > 0:
			lam = ulam[m]
		case m == 0:
			lam = netBig
		case m == 1:
			lmax := 0.0
			for j := 0; j < p; j++ {
				if s.use[j] {
					lmax = max(lmax, ga[j])
				}
			}
			lmax /= max(alpha, 1e-3)
			lamPrev = lmax
			lam = lmax * alf
		default:
			lam *= alf
		}
		ab, dem := lam*alpha, lam*(1-alpha)
		// sequential strong rule; the KKT check below catches its misses
		tlam := alpha * (2*lam - lamPrev)
		for j := 0; j < p; j++ {
			s.strong[j] = s.use[j] && (s.isAct[j] || ga[j] > tlam)
		}
		stop, tooSmall := s.irls(ab, dem, thr, opt.MaxIt, fmax, vmin, ga)
		if stop {
			out.Warning = fmt.Sprintf("convergence for λ number %d (%g) not reached after maxit=%d passes; solutions for larger λ returned", m+1, lam, opt.MaxIt)
			break
		}
		devi := s.deviance()
		dr := (nullDev - devi) / nullDev
		beta := make([]float64, p)
		icpt := s.b0
		for _, j := range s.active {
			beta[j] = s.b[j] / s.sd[j]
			icpt -= beta[j] * s.mean[j]
		}
		prev := 0.0
		if m > 0 {
			prev = out.DevRatio[m-1]
		}
		out.Lambda = append(out.Lambda, lam)
		out.Intercept = append(out.Intercept, icpt)
		out.Beta = append(out.Beta, beta)
		out.DevRatio = append(out.DevRatio, dr)
		if m+1 < min(netMnLam, nlam) || len(ulam) > 0 {
			continue // glmnet goes on even when the fit saturates
		}
		if dr-prev < netFDev || dr > netDevMax || tooSmall {
			break
		}
	}
	if len(ulam) == 0 && len(out.Lambda) > 2 {
		// glmnet reports the first λ (fitted as "infinite") by extrapolation
		out.Lambda[0] = math.Exp(2*math.Log(out.Lambda[1]) - math.Log(out.Lambda[2]))
	}
	return out, nil
}

// cancelled returns ctx's error wrapped for a caller of this package, or
// nil while ctx is live.
func cancelled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("biomarker: %w", err)
	}
	return nil
}

// irls solves one λ by iteratively reweighted least squares, each weighted
// least-squares problem by cyclic coordinate descent. It reports whether the
// pass limit was reached and whether the total weight Σ w q(1−q) became too
// small to go on (the fit saturates).
func (s *netState) irls(ab, dem, thr float64, maxit int, fmax, vmin float64, ga []float64) (maxitHit, tooSmall bool) {
	n, p := s.n, s.p
	bs := make([]float64, p)
	eta := make([]float64, n)
	for {
		if s.nlp > maxit {
			return true, false
		}
		bs0 := s.b0
		for _, j := range s.active {
			bs[j] = s.b[j]
		}
		for j := 0; j < p; j++ {
			if s.strong[j] {
				c := s.col(j)
				vx := s.vx[j*n : (j+1)*n]
				for i, v := range s.v {
					vx[i] = v * c[i]
				}
				s.xv[j] = dot(vx, c)
			}
		}
		if s.wls(ab, dem, thr, maxit) {
			return true, false
		}
		// new quadratic approximation at the WLS solution
		for i := range eta {
			eta[i] = s.b0
		}
		for _, j := range s.active {
			if s.b[j] != 0 {
				axpy(-s.b[j], s.col(j), eta)
			}
		}
		for i, f := range eta {
			switch {
			case f < -fmax:
				s.q[i] = 0
			case f > fmax:
				s.q[i] = 1
			default:
				s.q[i] = 1 / (1 + math.Exp(-f))
			}
		}
		s.vsum = 0
		for i := range s.v {
			s.v[i] = s.w * s.q[i] * (1 - s.q[i])
			s.vsum += s.v[i]
		}
		if s.vsum <= vmin {
			return false, true
		}
		for i := range s.r {
			s.r[i] = s.w * (s.y[i] - s.q[i])
		}
		d0 := s.b0 - bs0
		conv := s.vsum*d0*d0 <= thr
		for _, j := range s.active {
			if !conv {
				break
			}
			d := s.b[j] - bs[j]
			conv = s.xv[j]*d*d <= thr
		}
		if !conv {
			continue
		}
		kkt := true
		for j := 0; j < p; j++ {
			if s.use[j] && !s.strong[j] {
				ga[j] = math.Abs(dot(s.r, s.col(j)))
				if ga[j] > ab {
					s.strong[j] = true
					kkt = false
				}
			}
		}
		if kkt {
			return false, false
		}
	}
}

// wls runs coordinate descent on the current quadratic approximation: full
// passes over the strong set, each followed by passes over the active set
// until they converge. It reports whether the pass limit was reached.
func (s *netState) wls(ab, dem, thr float64, maxit int) bool {
	for {
		s.nlp++
		dlx := 0.0
		for j := 0; j < s.p; j++ {
			if s.strong[j] {
				dlx = s.update(j, ab, dem, dlx, true)
			}
		}
		s.flush()
		dlx = s.updateIntercept(dlx)
		if dlx < thr {
			return false
		}
		if s.nlp > maxit {
			return true
		}
		for {
			s.nlp++
			dlx := 0.0
			for _, j := range s.active {
				dlx = s.update(j, ab, dem, dlx, false)
			}
			s.flush()
			dlx = s.updateIntercept(dlx)
			if dlx < thr {
				break
			}
			if s.nlp > maxit {
				return true
			}
		}
	}
}

// update moves coefficient j to its coordinate-wise minimum (soft
// threshold). Its change to the working residual r is left pending and
// applied in the same loop as the next coordinate's gradient (one pass
// over r instead of two; the same arithmetic, so the same result).
func (s *netState) update(j int, ab, dem, dlx float64, full bool) float64 {
	c := s.col(j)
	old := s.b[j]
	var g float64
	if s.pendD != 0 {
		g = axpyDot(s.pendD, s.pendX, s.r, c)
		s.pendD = 0
	} else {
		g = dot(s.r, c)
	}
	u := g + old*s.xv[j]
	a := math.Abs(u) - ab
	nb := 0.0
	if a > 0 {
		// glmnet's ±9.9e35 bounds keep a saturated fit finite
		nb = min(netBig, max(-netBig, math.Copysign(a, u)/(s.xv[j]+dem)))
	}
	if nb == old {
		return dlx
	}
	s.b[j] = nb
	if full && !s.isAct[j] {
		s.isAct[j] = true
		s.active = append(s.active, j)
	}
	d := nb - old
	dlx = max(dlx, s.xv[j]*d*d)
	s.pendD, s.pendX = d, s.vx[j*s.n:(j+1)*s.n]
	return dlx
}

// flush applies the pending residual change.
func (s *netState) flush() {
	if s.pendD != 0 {
		axpy(s.pendD, s.pendX, s.r)
		s.pendD = 0
	}
}

func (s *netState) updateIntercept(dlx float64) float64 {
	sum := 0.0
	for _, v := range s.r {
		sum += v
	}
	d := sum / s.vsum
	if d == 0 {
		return dlx
	}
	s.b0 += d
	axpy(d, s.v, s.r)
	return max(dlx, s.vsum*d*d)
}
