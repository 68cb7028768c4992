package diffexp

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
)

// EdgeR runs edgeR's classic two-group analysis, as edgeR 3.40 does with
//
//	y <- DGEList(counts, group = condition); y <- calcNormFactors(y)
//	y <- estimateDisp(y, model.matrix(~ condition)); exactTest(y, pair)
//
// (Robinson & Smyth 2008, Biostatistics 9:321; McCarthy, Chen & Smyth
// 2012, NAR 40:4288; Chen, Lun & Smyth 2014). Written from the published
// descriptions and the edgeR documentation:
//
//	offsets        log(N_j f_j), N_j library size, f_j the TMM factor
//	grid           φ_g = 0.1·2^t, t = −10, −9, …, 10
//	APL            Cox–Reid adjusted profile log-likelihood of each feature
//	               (row sum ≥ 5) at each φ_g under the one-way layout
//	               (one NB mean per group; groups with all-zero counts dropped)
//	common φ       maximiser of the spline interpolant of Σ_i APL_i(t)
//	trend          APL rows smoothed over AveLogCPM by a local-constant
//	               tricube nearest-neighbour fit (span 0.25 + 0.75·√(50/n))
//	               evaluated like locfit's default tree (vertices + linear
//	               interpolation), trended φ = maximiser of each smoothed row
//	prior df       deviances at the trended φ → s² = D/df; limma's fitFDist
//	               with a natural-spline trend in AveLogCPM (df 4) gives d0;
//	               prior.n = d0 / (m − #groups)
//	tagwise φ      maximiser of APL_i + prior.n · smoothed APL_i
//	exact test     counts of the two groups turned into pseudo-counts at
//	               the geometric-mean library size by NB quantile-to-quantile
//	               mapping (average of the normal and gamma approximations),
//	               then the doubletail NB exact test on the rounded group
//	               sums (beta approximation when both sums exceed 900)
//	logFC          log2 ratio of group abundances from NB one-group fits
//	               with prior count 0.125 (scaled by library size)
//	FDR            Benjamini–Hochberg over all features
//
// Where edgeR calls into locfit and limma, the same computations are
// written here from their documented behaviour: the trend's vertex tree
// (cells longer than 0.8·min of the end bandwidths are halved, fits at
// vertices interpolated linearly) and fitFDist's natural-spline trend (an
// equivalent basis of the same spline space). Against edgeR 3.40.2 the
// dispersions agree to ~1e-9 relative and p-values to ~1e-10 in log10 on
// the golden sets (edger_golden_test.go). logCPM (AveLogCPM) is computed
// but not part of Results.
//
// Results: Log2FoldChange = logFC, PValue, PAdj = FDR, Stat and LfcSE are
// NaN; BaseMean is the mean of the counts divided by the normalised
// library-size factors N_j f_j / geometric mean (these are SizeFactors);
// DispFit is the trended and Dispersion the tagwise dispersion.
//
// Only a single-factor design is supported ("~ condition"; the factor is
// o.Contrast[0], "condition" by default). Dispersions use every sample and
// level of that factor; the test compares o.Contrast[1] against
// o.Contrast[2] (default: last level against the first, sorted).
func EdgeR(c *Counts, cd *ColData, o Options) (*Results, error) {
	if o.Test != "" && !strings.EqualFold(o.Test, "exact") && !strings.EqualFold(o.Test, "wald") {
		return nil, fmt.Errorf("%w: the edgeR method has only the exact test (test %q)", ErrDesign, o.Test)
	}
	st, err := edgerPrepare(c, cd, o, 2, "the exact test")
	if err != nil {
		return nil, err
	}
	m, n := len(c.Samples), len(c.Features)
	variable, levels, group, num, den, eff := st.variable, st.levels, st.group, st.num, st.den, st.eff
	workers := o.Workers
	ng := len(levels)
	disp, err := edgerDispersions(c, group, ng, eff, workers)
	if err != nil {
		return nil, err
	}

	res := newResults(n)
	res.Features = append([]string(nil), c.Features...)
	res.Method = "edger"
	res.FitType = "locfit"
	res.SizeFactors = effSizeFactors(eff)
	for i := 0; i < n; i++ {
		s := 0.0
		for j, v := range c.Row(i) {
			s += v / res.SizeFactors[j]
		}
		res.BaseMean[i] = s / float64(m)
		res.DispFit[i] = disp.trended[i]
		res.Dispersion[i] = disp.tagwise[i]
	}
	res.Coefficients = []string{"(Intercept)", variable + "_" + num + "_vs_" + den}

	// exact test between num and den
	var s1, s2 []int
	for j, g := range group {
		switch levels[g] {
		case den:
			s1 = append(s1, j)
		case num:
			s2 = append(s2, j)
		}
	}
	err = parallelRows(n, workers, func(lo, hi int) {
		var buf edgerExactBuf
		for i := lo; i < hi; i++ {
			lfc, p := edgerExactRow(c.Row(i), s1, s2, eff, disp.tagwise[i], &buf)
			res.Log2FoldChange[i] = lfc
			res.PValue[i] = p
		}
	})
	if err != nil {
		return nil, err
	}
	copy(res.PAdj, bhAdjust(res.PValue))
	return res, nil
}

// edgerSetup is what the edgeR paths share: the factor, its sorted levels,
// each sample's level index, the compared levels and the effective library
// sizes N_j f_j (TMM).
type edgerSetup struct {
	variable, num, den string
	levels             []string
	group              []int
	eff                []float64
}

// edgerPrepare checks the single-factor design and contrast and computes
// TMM effective library sizes; each compared level needs minRep samples.
func edgerPrepare(c *Counts, cd *ColData, o Options, minRep int, what string) (*edgerSetup, error) {
	m := len(c.Samples)
	n := len(c.Features)
	if n == 0 || m == 0 {
		return nil, fmt.Errorf("%w: empty count matrix", ErrEmpty)
	}
	if len(c.Values) != n*m {
		return nil, fmt.Errorf("%w: %d values for %d×%d matrix", ErrFormat, len(c.Values), n, m)
	}
	cd, err := cd.Align(c.Samples)
	if err != nil {
		return nil, err
	}
	variable := "condition"
	if len(o.Contrast) > 0 {
		variable = o.Contrast[0]
	}
	if o.Design != "" {
		d := strings.Join(strings.Fields(o.Design), "")
		if d != "~"+variable && d != "~1+"+variable {
			return nil, fmt.Errorf("%w: edgeR here supports only the single-factor design \"~ %s\", not %q", ErrDesign, variable, o.Design)
		}
	}
	col := cd.Column(variable)
	if col == nil {
		return nil, fmt.Errorf("%w: variable %q not in coldata", ErrContrast, variable)
	}
	levels := uniqueSorted(col)
	var num, den string
	switch len(o.Contrast) {
	case 0, 1:
		if len(levels) < 2 {
			return nil, fmt.Errorf("%w: %q has a single level %q", ErrContrast, variable, levels[0])
		}
		num, den = levels[len(levels)-1], levels[0]
	case 3:
		num, den = o.Contrast[1], o.Contrast[2]
	default:
		return nil, fmt.Errorf("%w: want variable,numerator,denominator, got %q", ErrContrast, strings.Join(o.Contrast, ","))
	}
	if num == den {
		return nil, fmt.Errorf("%w: numerator and denominator are both %q", ErrContrast, num)
	}
	group := make([]int, m)
	lidx := map[string]int{}
	for k, l := range levels {
		lidx[l] = k
	}
	for j, v := range col {
		group[j] = lidx[v]
	}
	for _, l := range []string{num, den} {
		k, ok := lidx[l]
		if !ok {
			return nil, fmt.Errorf("%w: level %q of %q absent (levels: %s)", ErrContrast, l, variable, strings.Join(levels, ", "))
		}
		cnt := 0
		for _, g := range group {
			if g == k {
				cnt++
			}
		}
		if cnt < minRep {
			return nil, fmt.Errorf("%w: %d sample(s) with %s = %q; %s needs at least %d per group", ErrTooFewReplicates, cnt, variable, l, what, minRep)
		}
	}
	// library sizes and TMM
	nf := TMM(c)
	lib := make([]float64, m)
	for i := 0; i < n; i++ {
		for j, v := range c.Row(i) {
			lib[j] += v
		}
	}
	eff := make([]float64, m)
	for j := range eff {
		eff[j] = lib[j] * nf[j]
		if eff[j] <= 0 {
			return nil, fmt.Errorf("%w: sample %q has no counts", ErrSizeFactors, c.Samples[j])
		}
	}
	return &edgerSetup{variable: variable, num: num, den: den, levels: levels, group: group, eff: eff}, nil
}

// uniqueSorted returns the distinct values of v in sorted order.
func uniqueSorted(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// parallelRows runs f over [0, n) split into contiguous chunks on workers
// goroutines (0 = GOMAXPROCS). Each row's result depends only on the row.
// effSizeFactors are edgeR's effective library sizes N_j·f_j scaled to
// geometric mean 1, reported as the results' size factors.
func effSizeFactors(eff []float64) []float64 {
	gm := 0.0
	for _, v := range eff {
		gm += math.Log(v)
	}
	gm = math.Exp(gm / float64(len(eff)))
	sf := make([]float64, len(eff))
	for j, v := range eff {
		sf[j] = v / gm
	}
	return sf
}

func parallelRows(n, workers int, f func(lo, hi int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers == 1 || n < 64 {
		f(0, n)
		return nil
	}
	chunk := (n + 4*workers - 1) / (4 * workers)
	var g errgroup.Group
	g.SetLimit(workers)
	for lo := 0; lo < n; lo += chunk {
		lo, hi := lo, min(lo+chunk, n)
		g.Go(func() error { f(lo, hi); return nil })
	}
	return g.Wait()
}

// bhAdjust is R's p.adjust(p, "BH") over the non-NaN entries.
func bhAdjust(p []float64) []float64 {
	out := make([]float64, len(p))
	var idx []int
	for i, v := range p {
		out[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	k := float64(len(idx))
	run := math.Inf(1)
	for r, i := range idx {
		rank := k - float64(r)
		v := math.Min(1, p[i]*k/rank)
		run = math.Min(run, v)
		out[i] = run
	}
	return out
}

// ---- NB helpers -------------------------------------------------------

// oneGroupNB is edgeR's mglmOneGroup: the MLE of β in μ_j = exp(β + off_j)
// for NB counts y_j with dispersion phi, by Fisher scoring (≤ 50 steps,
// |step| < 1e-10). All-zero y gives −Inf. idx selects the samples (nil:
// all). add is added to every count.
func oneGroupNB(y []float64, idx []int, off []float64, phi, add float64, start float64) float64 {
	if idx == nil {
		return oneGroupNBAll(y, off, phi, add, start)
	}
	sy, sl := 0.0, 0.0
	for _, j := range idx {
		sy += y[j] + add
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
		for _, j := range idx {
			mu := math.Exp(beta + off[j])
			den := 1 + phi*mu
			dl += (y[j] + add - mu) / den
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

// oneGroupNBAll is oneGroupNB over every sample.
func oneGroupNBAll(y []float64, off []float64, phi, add float64, start float64) float64 {
	sy, sl := 0.0, 0.0
	for j, v := range y {
		sy += v + add
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
		for j, v := range y {
			mu := math.Exp(beta + off[j])
			den := 1 + phi*mu
			dl += (v + add - mu) / den
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

// ---- dispersion estimation ---------------------------------------------

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
func edgerDispersions(c *Counts, group []int, ng int, eff []float64, workers int) (*edgerDisp, error) {
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
	err := parallelRows(ns, workers, func(lo, hi int) {
		beta := make([]float64, ng)
		for k := lo; k < hi; k++ {
			d.apl[k] = edgerAPLRow(c.Row(d.selected[k]), members, off, d.gridT, beta)
		}
	})
	if err != nil {
		return nil, err
	}
	// common dispersion
	d.common = math.NaN()
	d.trended = make([]float64, n)
	d.tagwise = make([]float64, n)
	if ns == 0 {
		d.aveLogCPM = aveLogCPM(c, eff, 0.05, workers)
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
	d.aveLogCPM = aveLogCPM(c, eff, d.common, workers)

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
			b := oneGroupNB(y, mem, off, trendSel[k], 0, math.NaN())
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
			beta[g] = oneGroupNB(y, mem, off, phi, 0, beta[g])
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
func aveLogCPM(c *Counts, eff []float64, phi float64, workers int) []float64 {
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
	_ = parallelRows(n, workers, func(lo, hi int) {
		y := make([]float64, m)
		for i := lo; i < hi; i++ {
			for j, v := range c.Row(i) {
				y[j] = v + prior[j]
			}
			b := oneGroupNB(y, nil, off, phi, 0, math.NaN())
			out[i] = (b + math.Log(1e6)) / math.Ln2
		}
	})
	return out
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
		meanTri += trigamma(d[k] / 2)
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

// trigamma is ψ'(x) for x > 0.
func trigamma(x float64) float64 {
	s := 0.0
	for x < 6 {
		s += 1 / (x * x)
		x++
	}
	x2 := 1 / (x * x)
	return s + 1/x + x2/2 + x2/x*(1.0/6-x2*(1.0/30-x2*(1.0/42-x2/30)))
}

// trigammaInverse solves ψ'(y) = v for y > 0 (ψ' is decreasing).
func trigammaInverse(v float64) float64 {
	lo, hi := -30.0, 30.0 // log y
	for it := 0; it < 200; it++ {
		mid := (lo + hi) / 2
		if trigamma(math.Exp(mid)) > v {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo + hi) / 2)
}

// ---- exact test ---------------------------------------------------------

type edgerExactBuf struct {
	y1, y2, logp []float64
}

// edgerExactRow returns edgeR's exactTest logFC (group 2 over group 1) and
// doubletail p-value for one feature.
func edgerExactRow(y []float64, s1, s2 []int, eff []float64, phi float64, buf *edgerExactBuf) (float64, float64) {
	both := append(append([]int(nil), s1...), s2...)
	meanLib, geo := 0.0, 0.0
	for _, j := range both {
		meanLib += eff[j]
		geo += math.Log(eff[j])
	}
	meanLib /= float64(len(both))
	geo = math.Exp(geo / float64(len(both)))
	m := len(y)
	offAug := make([]float64, m)
	yAug := make([]float64, m)
	off := make([]float64, m)
	for _, j := range both {
		pc := 0.125 * eff[j] / meanLib
		offAug[j] = math.Log(eff[j] + 2*pc)
		yAug[j] = y[j] + pc
		off[j] = math.Log(eff[j])
	}
	a1 := oneGroupNB(yAug, s1, offAug, phi, 0, math.NaN())
	a2 := oneGroupNB(yAug, s2, offAug, phi, 0, math.NaN())
	lfc := (a2 - a1) / math.Ln2

	ab := oneGroupNB(y, both, off, phi, 0, math.NaN())
	e := math.Exp(ab)
	sum1, sum2 := 0.0, 0.0
	for _, j := range s1 {
		sum1 += q2qNB(y[j], e*eff[j], e*geo, phi)
	}
	for _, j := range s2 {
		sum2 += q2qNB(y[j], e*eff[j], e*geo, phi)
	}
	r1, r2 := math.RoundToEven(sum1), math.RoundToEven(sum2)
	if r1 > 900 && r2 > 900 {
		// like exactTestDoubleTail: the beta approximation takes the
		// unrounded pseudo-count sums
		return lfc, exactBetaApprox(sum1, sum2, float64(len(s1)), float64(len(s2)), phi)
	}
	return lfc, exactDoubleTail(r1, r2, len(s1), len(s2), phi, buf)
}

// q2qNB maps count x from NB(inMean, phi) to NB(outMean, phi) by averaging
// the normal and gamma quantile-to-quantile mappings (edgeR q2qnbinom).
// The result can be slightly negative for zero counts.
func q2qNB(x, inMean, outMean, phi float64) float64 {
	const eps = 1e-14
	if inMean < eps || outMean < eps {
		inMean += 0.25
		outMean += 0.25
	}
	ri := 1 + phi*inMean
	vi := inMean * ri
	ro := 1 + phi*outMean
	vo := outMean * ro
	// normal approximation: the mapping keeps the z-score
	q1 := outMean + math.Sqrt(vo)*(x-inMean)/math.Sqrt(vi)
	// gamma approximation: shape μ/r, scale r, mapped through the tail
	// probability on the side of x
	ai, ao := inMean/ri, outMean/ro
	var q2 float64
	const tiny = 1e-290
	if x >= inMean {
		p2 := mathext.GammaIncRegComp(ai, x/ri)
		if p2 > tiny {
			q2 = mathext.GammaIncRegCompInv(ao, p2) * ro
		} else {
			q2 = wilsonHilferty(x/ri, ai, ao) * ro
		}
	} else {
		p2 := mathext.GammaIncReg(ai, x/ri)
		switch {
		case p2 <= 0:
			q2 = 0
		case p2 > tiny:
			q2 = mathext.GammaIncRegInv(ao, p2) * ro
		default:
			q2 = wilsonHilferty(x/ri, ai, ao) * ro
		}
	}
	// like q2qnbinom, negative values are kept (exactTest sums them as
	// they are; only equalizeLibSizes clamps at zero)
	return (q1 + q2) / 2
}

// wilsonHilferty maps a Gamma(ai, 1) quantile g to the Gamma(ao, 1)
// quantile with the same tail probability by the Wilson–Hilferty cube-root
// normal approximation; used only where the tail probability underflows.
func wilsonHilferty(g, ai, ao float64) float64 {
	z := (math.Cbrt(g/ai) - (1 - 1/(9*ai))) / math.Sqrt(1/(9*ai))
	v := 1 - 1/(9*ao) + z*math.Sqrt(1/(9*ao))
	if v <= 0 {
		return 0
	}
	return ao * v * v * v
}

// exactDoubleTail is edgeR's exactTestDoubleTail for one feature with
// rounded group sums s1, s2 over n1, n2 libraries.
func exactDoubleTail(s1, s2 float64, n1, n2 int, phi float64, buf *edgerExactBuf) float64 {
	s := s1 + s2
	fn1, fn2 := float64(n1), float64(n2)
	mu := s / (fn1 + fn2)
	mu1, mu2 := fn1*mu, fn2*mu
	if s1 > 900 && s2 > 900 {
		return exactBetaApprox(s1, s2, fn1, fn2, phi)
	}
	var lo, hi float64
	switch {
	case s1 < mu1:
		lo, hi = 0, s1
	case s1 > mu1:
		lo, hi = s1, s
	default:
		return 1
	}
	size1, size2 := fn1/phi, fn2/phi
	pbot := lnNB(s, s, phi/(fn1+fn2), true)
	buf.logp = buf.logp[:0]
	top := math.Inf(-1)
	// log of dnbinom(x; size1, mu1)·dnbinom(s−x; size2, mu2), by the
	// ratio of successive terms (the success probabilities μ/(size+μ) of
	// the two factors are equal and cancel)
	l := lnNB(lo, mu1, 1/size1, true) + lnNB(s-lo, mu2, 1/size2, true)
	for x := lo; x <= hi; x++ {
		if x > lo {
			l += math.Log((x-1+size1)*(s-x+1)) - math.Log(x*(s-x+size2))
		}
		buf.logp = append(buf.logp, l)
		top = math.Max(top, l)
	}
	acc := 0.0
	for _, l := range buf.logp {
		acc += math.Exp(l - top)
	}
	p := 2 * math.Exp(top+math.Log(acc)-pbot)
	return math.Min(p, 1)
}

// exactBetaApprox is edgeR's exactTestBetaApprox for large counts.
func exactBetaApprox(y1, y2, n1, n2, phi float64) float64 {
	y := y1 + y2
	if y <= 0 {
		return 1
	}
	mu := y / (n1 + n2)
	a1 := n1 * mu / (1 + phi*mu)
	a2 := n2 / n1 * a1
	med := mathext.InvRegIncBeta(a1, a2, 0.5)
	switch {
	case (y1+0.5)/y < med:
		return math.Min(1, 2*mathext.RegIncBeta(a1, a2, (y1+0.5)/y))
	case (y1-0.5)/y > med:
		return math.Min(1, 2*mathext.RegIncBeta(a2, a1, 1-(y1-0.5)/y))
	}
	return 1
}
