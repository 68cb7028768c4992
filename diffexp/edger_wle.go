package diffexp

import (
	"context"
	"fmt"
	"math"
	"sort"
)

// oneGroupNB is edgeR's mglmOneGroup: the MLE of β in μ_j = exp(β + off_j)
// for NB counts y_j with dispersion phi, by Fisher scoring (≤ 50 steps,
// |step| < 1e-10), from start (NaN: the log of the pooled rate). All-zero
// y gives −Inf. idx selects the samples (nil: all).
func oneGroupNB(y []float64, idx []int, off []float64, phi float64, start float64) float64 {
	return oneGroupNBFit(y, idx, off, phi, nil, start)
}

// oneGroupNBFit is oneGroupNB with, when disp is not nil, a dispersion
// per sample (disp[j] instead of phi).
func oneGroupNBFit(y []float64, idx []int, off []float64, phi float64, disp []float64, start float64) float64 {
	n := len(y)
	if idx != nil {
		n = len(idx)
	}
	sy, sl := 0.0, 0.0
	for k := 0; k < n; k++ {
		j := k
		if idx != nil {
			j = idx[k]
		}
		sy += y[j]
		sl += math.Exp(off[j])
	}
	if sy <= 0 {
		return math.Inf(-1)
	}
	beta := start
	if math.IsNaN(beta) || math.IsInf(beta, 0) {
		beta = math.Log(sy / sl)
	}
	for it := 0; it < 50; it++ {
		dl, info := 0.0, 0.0
		for k := 0; k < n; k++ {
			j := k
			if idx != nil {
				j = idx[k]
			}
			ph := phi
			if disp != nil {
				ph = disp[j]
			}
			mu := math.Exp(beta + off[j])
			den := 1 + ph*mu
			dl += (y[j] - mu) / den
			info += mu / den
		}
		step := dl / info
		beta += step
		if math.Abs(step) < 1e-10 {
			break
		}
	}
	return beta
}

// lnNB is the NB log-probability of y with mean mu and dispersion phi
// (size 1/phi), without the −log y! term when full is false.
func lnNB(y, mu, phi float64, full bool) float64 {
	r := 1 / phi
	if mu <= 0 {
		if y == 0 {
			return 0
		}
		return math.Inf(-1)
	}
	var l float64
	if y == 0 {
		l = -r * math.Log1p(phi*mu)
	} else {
		a, _ := math.Lgamma(y + r)
		b, _ := math.Lgamma(r)
		l = a - b + y*math.Log(mu/(r+mu)) - r*math.Log1p(phi*mu)
	}
	if full {
		c, _ := math.Lgamma(y + 1)
		l -= c
	}
	return l
}

// nbUnitDeviance is the NB unit deviance of y at mean mu.
func nbUnitDeviance(y, mu, phi float64) float64 {
	if mu <= 0 {
		return 0
	}
	r := 1 / phi
	if y == 0 {
		return 2 * r * math.Log1p(phi*mu)
	}
	return 2 * (y*math.Log(y/mu) - (y+r)*math.Log((1+phi*y)/(1+phi*mu)))
}

type edgerDisp struct {
	common, priorDF    float64
	trended, tagwise   []float64
	aveLogCPM          []float64
	gridT              []float64
	apl, smoothed      [][]float64 // per selected feature
	selected           []int
	residDF, deviances []float64
}

const edgerGridLen = 21

// edgerDispersions estimates common, trended and tagwise dispersions as
// estimateDisp(y, model.matrix(~group)) does for a one-way layout.
func edgerDispersions(ctx context.Context, c *Counts, group []int, ng int, eff []float64, workers int) (*edgerDisp, error) {
	n, m := len(c.Features), len(c.Samples)
	if m <= ng {
		return nil, fmt.Errorf("%w: %d samples for %d groups leave no residual degrees of freedom", ErrTooFewReplicates, m, ng)
	}
	off := make([]float64, m)
	for j := range off {
		off[j] = math.Log(eff[j])
	}
	members := make([][]int, ng)
	for j, g := range group {
		members[g] = append(members[g], j)
	}
	d := &edgerDisp{gridT: make([]float64, edgerGridLen)}
	for k := range d.gridT {
		d.gridT[k] = -10 + float64(k)
	}
	for i := 0; i < n; i++ {
		s := 0.0
		for _, v := range c.Row(i) {
			s += v
		}
		if s >= 5 {
			d.selected = append(d.selected, i)
		}
	}
	ns := len(d.selected)
	d.apl = make([][]float64, ns)
	if err := parallelRows(ctx, ns, workers, func(lo, hi int) {
		beta := make([]float64, ng)
		for k := lo; k < hi; k++ {
			d.apl[k] = edgerAPLRow(c.Row(d.selected[k]), members, off, d.gridT, beta)
		}
	}); err != nil {
		return nil, err
	}
	// common dispersion
	d.common = math.NaN()
	d.trended = make([]float64, n)
	d.tagwise = make([]float64, n)
	if ns == 0 {
		var err error
		if d.aveLogCPM, err = aveLogCPM(ctx, c, eff, 0.05, workers); err != nil {
			return nil, err
		}
		for i := range d.trended {
			d.trended[i], d.tagwise[i] = math.NaN(), math.NaN()
		}
		return d, nil
	}
	sum := make([]float64, edgerGridLen)
	for _, row := range d.apl {
		for k, v := range row {
			sum[k] += v
		}
	}
	d.common = 0.1 * math.Exp2(maximizeInterpolant(d.gridT, sum))
	var err error
	if d.aveLogCPM, err = aveLogCPM(ctx, c, eff, d.common, workers); err != nil {
		return nil, err
	}

	// trend: local-constant smoothing of the APL rows over AveLogCPM
	cov := make([]float64, ns)
	for k, i := range d.selected {
		cov[k] = d.aveLogCPM[i]
	}
	span := 1.0
	if ns > 50 {
		span = 0.25 + 0.75*math.Sqrt(50/float64(ns))
	}
	d.smoothed = localConstantSmooth(cov, d.apl, span)
	trendSel := make([]float64, ns)
	minK := 0
	for k := range d.selected {
		trendSel[k] = 0.1 * math.Exp2(maximizeInterpolant(d.gridT, d.smoothed[k]))
		if cov[k] < cov[minK] {
			minK = k
		}
	}
	for i := range d.trended {
		d.trended[i] = trendSel[minK]
	}
	for k, i := range d.selected {
		d.trended[i] = trendSel[k]
	}

	// prior degrees of freedom from the deviances at the trended dispersion
	d.residDF = make([]float64, ns)
	d.deviances = make([]float64, ns)
	s2 := make([]float64, ns)
	for k, i := range d.selected {
		y := c.Row(i)
		dev, df := 0.0, 0.0
		for _, mem := range members {
			if len(mem) == 0 {
				continue
			}
			b := oneGroupNB(y, mem, off, trendSel[k], math.NaN())
			if math.IsInf(b, -1) {
				continue // fitted zero: no residual df
			}
			df += float64(len(mem) - 1)
			for _, j := range mem {
				dev += nbUnitDeviance(y[j], math.Exp(b+off[j]), trendSel[k])
			}
		}
		d.residDF[k], d.deviances[k] = df, dev
		if df > 0 {
			s2[k] = math.Max(dev/df, 0)
		}
	}
	d.priorDF = fitFDistDF(s2, d.residDF, cov)
	priorN := d.priorDF / float64(m-ng)
	copy(d.tagwise, d.trended)
	if priorN <= 1e6 {
		row := make([]float64, edgerGridLen)
		for k, i := range d.selected {
			for g := range row {
				row[g] = d.apl[k][g] + priorN*d.smoothed[k][g]
			}
			d.tagwise[i] = 0.1 * math.Exp2(maximizeInterpolant(d.gridT, row))
		}
	}
	return d, nil
}

// edgerAPLRow is the Cox–Reid adjusted profile log-likelihood of one
// feature at each grid dispersion under the one-way layout. beta is
// scratch of length ng (warm starts across the grid).
func edgerAPLRow(y []float64, members [][]int, off, gridT, beta []float64) []float64 {
	out := make([]float64, len(gridT))
	// groups whose counts are all zero are fitted exactly (μ = 0) and
	// dropped, with their samples
	active := make([]bool, len(members))
	nSamp, nCoef := 0, 0
	for g, mem := range members {
		for _, j := range mem {
			if y[j] > 0 {
				active[g] = true
				break
			}
		}
		if active[g] {
			nSamp += len(mem)
			nCoef++
		}
		beta[g] = math.NaN()
	}
	if nSamp == nCoef {
		return out // no residual df: contributes nothing
	}
	for k, t := range gridT {
		phi := 0.1 * math.Exp2(t)
		ll, logdet := 0.0, 0.0
		for g, mem := range members {
			if !active[g] {
				continue
			}
			beta[g] = oneGroupNB(y, mem, off, phi, beta[g])
			w := 0.0
			for _, j := range mem {
				mu := math.Exp(beta[g] + off[j])
				ll += lnNB(y[j], mu, phi, false)
				w += mu / (1 + phi*mu)
			}
			logdet += math.Log(w)
		}
		out[k] = ll - 0.5*logdet
	}
	return out
}

// aveLogCPM is edgeR's aveLogCPM with prior count 2: log2 of the NB
// one-group abundance per million, counts augmented by 2·N_j/mean(N).
func aveLogCPM(ctx context.Context, c *Counts, eff []float64, phi float64, workers int) ([]float64, error) {
	n, m := len(c.Features), len(c.Samples)
	meanLib := 0.0
	for _, v := range eff {
		meanLib += v
	}
	meanLib /= float64(m)
	prior := make([]float64, m)
	off := make([]float64, m)
	for j := range eff {
		prior[j] = 2 * eff[j] / meanLib
		off[j] = math.Log(eff[j] + 2*prior[j])
	}
	out := make([]float64, n)
	err := parallelRows(ctx, n, workers, func(lo, hi int) {
		y := make([]float64, m)
		for i := lo; i < hi; i++ {
			for j, v := range c.Row(i) {
				y[j] = v + prior[j]
			}
			b := oneGroupNB(y, nil, off, phi, math.NaN())
			out[i] = (b + math.Log(1e6)) / math.Ln2
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// localConstantSmooth smooths each column of rows (one row per point)
// over x as locfit(y ~ x, alpha = span, deg = 0) does with its default
// tree evaluation: Nadaraya–Watson fits with tricube weights and a
// nearest-neighbour bandwidth h(v) (distance to the ⌊n·span⌋-th nearest
// point) are computed at vertices only — the ends of the range of x, and
// midpoints of every cell [a, b] longer than 0.8·min(h(a), h(b)), split
// recursively — and interpolated linearly between vertices.
func localConstantSmooth(x []float64, rows [][]float64, span float64) [][]float64 {
	n := len(x)
	out := make([][]float64, n)
	if n == 0 {
		return out
	}
	k := int(math.Floor(float64(n) * span))
	if span*float64(n) < 2 || n <= 1 {
		for i := range rows {
			out[i] = append([]float64(nil), rows[i]...)
		}
		return out
	}
	k = max(min(k, n), 1)
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	sort.SliceStable(o, func(a, b int) bool { return x[o[a]] < x[o[b]] })
	xs := make([]float64, n)
	for r, i := range o {
		xs[r] = x[i]
	}
	width := len(rows[0])
	// bandwidth at v: the k-th smallest |xs − v|
	bw := func(v float64) float64 {
		p := sort.SearchFloat64s(xs, v)
		l, r := p-1, p // candidates to the left and right
		var d float64
		for c := 0; c < k; c++ {
			switch {
			case l < 0:
				d = xs[r] - v
				r++
			case r >= n:
				d = v - xs[l]
				l--
			case v-xs[l] <= xs[r]-v:
				d = v - xs[l]
				l--
			default:
				d = xs[r] - v
				r++
			}
		}
		return d
	}
	fitAt := func(v, h float64) []float64 {
		acc := make([]float64, width)
		wsum := 0.0
		if h <= 0 {
			for q := 0; q < n; q++ {
				if xs[q] == v {
					wsum++
					for g, y := range rows[o[q]] {
						acc[g] += y
					}
				}
			}
		} else {
			lo := sort.SearchFloat64s(xs, v-h)
			for q := lo; q < n && xs[q] <= v+h; q++ {
				u := math.Abs(xs[q]-v) / h
				if u >= 1 {
					continue
				}
				w := 1 - u*u*u
				w = w * w * w
				wsum += w
				for g, y := range rows[o[q]] {
					acc[g] += w * y
				}
			}
		}
		if wsum == 0 {
			// no point strictly inside the window: nearest point's values
			q := min(sort.SearchFloat64s(xs, v), n-1)
			copy(acc, rows[o[q]])
			return acc
		}
		for g := range acc {
			acc[g] /= wsum
		}
		return acc
	}
	type vertex struct {
		x, h float64
	}
	lo, hi := xs[0], xs[n-1]
	verts := []vertex{{lo, bw(lo)}}
	var split func(a, b vertex, depth int)
	split = func(a, b vertex, depth int) {
		if depth < 30 && b.x-a.x > 0.8*math.Min(a.h, b.h) {
			mv := (a.x + b.x) / 2
			m := vertex{mv, bw(mv)}
			split(a, m, depth+1)
			split(m, b, depth+1)
			return
		}
		verts = append(verts, b)
	}
	if hi > lo {
		split(verts[0], vertex{hi, bw(hi)}, 0)
	}
	vals := make([][]float64, len(verts))
	for i, v := range verts {
		vals[i] = fitAt(v.x, v.h)
	}
	c := 0
	for r := 0; r < n; r++ {
		v := xs[r]
		for c+1 < len(verts)-1 && verts[c+1].x <= v {
			c++
		}
		res := make([]float64, width)
		if len(verts) == 1 {
			copy(res, vals[0])
		} else {
			a, b := verts[c], verts[c+1]
			t := (v - a.x) / (b.x - a.x)
			for g := range res {
				res[g] = vals[c][g] + t*(vals[c+1][g]-vals[c][g])
			}
		}
		out[o[r]] = res
	}
	return out
}

// maximizeInterpolant returns the abscissa maximising the cubic spline
// (Forsythe–Malcolm–Moler end conditions, R's spline method "fmm")
// through (x, y), searched in the two intervals next to the largest y.
func maximizeInterpolant(x, y []float64) float64 {
	n := len(x)
	imax := 0
	for i := range y {
		if y[i] > y[imax] {
			imax = i
		}
	}
	if n < 3 {
		return x[imax]
	}
	b, cc, d := fmmSpline(x, y)
	bestX, bestY := x[imax], y[imax]
	try := func(i int) {
		h := x[i+1] - x[i]
		// derivative b + 2c t + 3d t² = 0
		A, B, C := 3*d[i], 2*cc[i], b[i]
		var roots []float64
		switch {
		case A == 0 && B == 0:
		case A == 0:
			roots = append(roots, -C/B)
		default:
			disc := B*B - 4*A*C
			if disc >= 0 {
				// numerically stable roots of A t² + B t + C
				q := -0.5 * (B + math.Copysign(math.Sqrt(disc), B))
				if q != 0 {
					roots = append(roots, q/A, C/q)
				} else {
					roots = append(roots, 0)
				}
			}
		}
		for _, t := range roots {
			if t < 0 || t > h || 2*cc[i]+6*d[i]*t > 0 {
				continue
			}
			v := y[i] + t*(b[i]+t*(cc[i]+t*d[i]))
			if v > bestY {
				bestX, bestY = x[i]+t, v
			}
		}
	}
	if imax > 0 {
		try(imax - 1)
	}
	if imax < n-1 {
		try(imax)
	}
	return bestX
}

// fmmSpline returns the coefficients of the interpolating cubic spline
// with the Forsythe–Malcolm–Moler end conditions (the third derivative at
// each end matches that of the cubic through the four end points):
// s(x) = y_i + b_i t + c_i t² + d_i t³, t = x − x_i.
func fmmSpline(x, y []float64) (b, c, d []float64) {
	n := len(x)
	b, c, d = make([]float64, n), make([]float64, n), make([]float64, n)
	nm1 := n - 1
	d[0] = x[1] - x[0]
	c[1] = (y[1] - y[0]) / d[0]
	for i := 1; i < nm1; i++ {
		d[i] = x[i+1] - x[i]
		b[i] = 2 * (d[i-1] + d[i])
		c[i+1] = (y[i+1] - y[i]) / d[i]
		c[i] = c[i+1] - c[i]
	}
	b[0], b[nm1] = -d[0], -d[n-2]
	c[0], c[nm1] = 0, 0
	if n > 3 {
		c[0] = c[2]/(x[3]-x[1]) - c[1]/(x[2]-x[0])
		c[nm1] = c[n-2]/(x[nm1]-x[n-3]) - c[n-3]/(x[n-2]-x[n-4])
		c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
		c[nm1] = -c[nm1] * d[n-2] * d[n-2] / (x[nm1] - x[n-4])
	}
	for i := 1; i <= nm1; i++ {
		t := d[i-1] / b[i-1]
		b[i] -= t * d[i-1]
		c[i] -= t * c[i-1]
	}
	c[nm1] /= b[nm1]
	for i := n - 2; i >= 0; i-- {
		c[i] = (c[i] - d[i]*c[i+1]) / b[i]
	}
	b[nm1] = (y[nm1]-y[n-2])/d[n-2] + d[n-2]*(c[n-2]+2*c[nm1])
	for i := 0; i < nm1; i++ {
		b[i] = (y[i+1]-y[i])/d[i] - d[i]*(c[i+1]+2*c[i])
		d[i] = (c[i+1] - c[i]) / d[i]
		c[i] = 3 * c[i]
	}
	c[nm1] = 3 * c[nm1]
	d[nm1] = d[n-2]
	return b, c, d
}
