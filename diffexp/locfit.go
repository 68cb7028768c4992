package diffexp

import (
	"fmt"
	"math"
	"sort"
)

// Settings of DESeq2's local dispersion fit, locfit(logDisps ~ logMeans,
// weights = means) with locfit's defaults: nearest-neighbour fraction 0.7,
// local quadratic, tricube kernel, adaptive-tree evaluation with cut 0.8.
const (
	locfitAlpha = 0.7
	locfitCut   = 0.8
)

// fitLocalTrend is DESeq2's "local" trend: a local quadratic regression of
// log dispersion on log mean (weights = mean × tricube of distance over the
// distance to the ⌊0.7n⌋-th nearest point), fitted — value and slope — at
// the vertices of locfit's adaptive tree: starting from the range of the
// log means, a cell is halved while its width exceeds 0.8 × the smaller
// bandwidth of its two vertices. Between vertices the fit is the cubic
// Hermite interpolant of the vertex values and slopes; outside the range it
// is extended linearly with the end slope. This follows locfit's published
// method (Loader 1999, Local Regression and Likelihood, ch. 12).
func fitLocalTrend(means, disps []float64) (*trend, error) {
	type pt struct{ x, y, w float64 }
	var pts []pt
	for i, mu := range means {
		if disps[i] >= 10*minDisp {
			pts = append(pts, pt{math.Log(mu), math.Log(disps[i]), mu})
		}
	}
	if len(pts) < 3 {
		return nil, fmt.Errorf("%w: too few genes (%d) for a local trend fit after the parametric fit failed", ErrDispersion, len(pts))
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
	n := len(pts)
	k := int(float64(n)*locfitAlpha + 1e-12)
	if k < 3 {
		k = 3
	}
	// fit returns the local quadratic's value and slope at x0 and its
	// bandwidth.
	fit := func(x0 float64) (val, slope, h float64) {
		// the k nearest points form a window of the sorted x
		lo := sort.SearchFloat64s(xsOf(pts, func(p pt) float64 { return p.x }), x0)
		l, r := lo, lo-1 // window [l, r], grown one point at a time
		for r-l+1 < k {
			switch {
			case l == 0:
				r++
			case r == n-1:
				l--
			case x0-pts[l-1].x < pts[r+1].x-x0:
				l--
			default:
				r++
			}
		}
		h = math.Max(x0-pts[l].x, pts[r].x-x0)
		var m [3][3]float64
		var v [3]float64
		for j := l; j <= r; j++ {
			q := pts[j]
			u := math.Abs(q.x-x0) / h
			if !(u < 1) {
				continue
			}
			tc := 1 - u*u*u
			w := q.w * tc * tc * tc
			dx := q.x - x0
			f := [3]float64{1, dx, dx * dx}
			for a := 0; a < 3; a++ {
				v[a] += w * f[a] * q.y
				for b := 0; b < 3; b++ {
					m[a][b] += w * f[a] * f[b]
				}
			}
		}
		flat := []float64{m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2], m[2][0], m[2][1], m[2][2]}
		rhs := []float64{v[0], v[1], v[2]}
		if cholSolve(flat, 3, rhs, make([]float64, 9)) {
			return rhs[0], rhs[1], h
		}
		// degenerate neighbourhood: weighted mean, flat
		return v[0] / m[0][0], 0, h
	}
	type vertex struct{ x, y, d, h float64 }
	var verts []vertex
	add := func(x float64) vertex {
		y, d, h := fit(x)
		vt := vertex{x, y, d, h}
		verts = append(verts, vt)
		return vt
	}
	var grow func(a, b vertex)
	grow = func(a, b vertex) {
		hmin := math.Min(a.h, b.h)
		if !(hmin > 0) || (b.x-a.x)/hmin <= locfitCut {
			return
		}
		mid := add((a.x + b.x) / 2)
		grow(a, mid)
		grow(mid, b)
	}
	first, last := add(pts[0].x), add(pts[n-1].x)
	if last.x > first.x {
		grow(first, last)
	}
	sort.Slice(verts, func(i, j int) bool { return verts[i].x < verts[j].x })
	t := &trend{typ: "local", localC2: parametricCurvature(pts)}
	for _, vt := range verts {
		t.localX = append(t.localX, vt.x)
		t.localY = append(t.localY, vt.y)
		t.localD = append(t.localD, vt.d)
	}
	return t, nil
}

// parametricCurvature is the x² coefficient of locfit's parametric
// component: the global quadratic regression of y on x with the prior
// weights. locfit subtracts it before smoothing and adds it back when
// predicting, which changes nothing between vertices (the Hermite
// interpolation is exact for quadratics) but makes the extension outside
// the fitted range quadratic rather than linear.
func parametricCurvature[T interface{ ~struct{ x, y, w float64 } }](pts []T) float64 {
	sw, sx := 0.0, 0.0
	for _, p := range pts {
		q := struct{ x, y, w float64 }(p)
		sw += q.w
		sx += q.w * q.x
	}
	xbar := sx / sw
	var m [3][3]float64
	var v [3]float64
	for _, p := range pts {
		q := struct{ x, y, w float64 }(p)
		dx := q.x - xbar
		f := [3]float64{1, dx, dx * dx}
		for a := 0; a < 3; a++ {
			v[a] += q.w * f[a] * q.y
			for b := 0; b < 3; b++ {
				m[a][b] += q.w * f[a] * f[b]
			}
		}
	}
	flat := []float64{m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2], m[2][0], m[2][1], m[2][2]}
	rhs := []float64{v[0], v[1], v[2]}
	if !cholSolve(flat, 3, rhs, make([]float64, 9)) {
		return 0
	}
	return rhs[2]
}

// xsOf returns f of every point (a helper for binary searches).
func xsOf[T any](pts []T, f func(T) float64) []float64 {
	out := make([]float64, len(pts))
	for i, p := range pts {
		out[i] = f(p)
	}
	return out
}

// localAt evaluates the local trend at mean: cubic Hermite interpolation
// of the vertex values and slopes in log mean; outside the vertices, the
// end value and slope plus the parametric component's curvature.
func (t *trend) localAt(mean float64) float64 {
	lx := math.Log(mean)
	xs := t.localX
	n := len(xs)
	if n == 1 || lx <= xs[0] {
		dx := lx - xs[0]
		return math.Exp(t.localY[0] + dx*t.localD[0] + t.localC2*dx*dx)
	}
	if lx >= xs[n-1] {
		dx := lx - xs[n-1]
		return math.Exp(t.localY[n-1] + dx*t.localD[n-1] + t.localC2*dx*dx)
	}
	k := sort.SearchFloat64s(xs, lx) // xs[k-1] < lx ≤ xs[k]
	if xs[k] == lx {
		return math.Exp(t.localY[k])
	}
	w := xs[k] - xs[k-1]
	u := (lx - xs[k-1]) / w
	p1 := u * u * (3 - 2*u)
	p0 := 1 - p1
	p2 := u * (1 - u) * (1 - u) * w
	p3 := u * u * (u - 1) * w
	return math.Exp(p0*t.localY[k-1] + p1*t.localY[k] + p2*t.localD[k-1] + p3*t.localD[k])
}
