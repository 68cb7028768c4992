package diffexp

import (
	"context"
	"fmt"
	"sort"
	"strings"
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
//
// A cancelled ctx stops the fits between blocks of rows with an error
// matching ctx.Err() under errors.Is.
func EdgeR(ctx context.Context, c *Counts, cd *ColData, o Options) (*Results, error) {
	if err := cancelled(ctx); err != nil {
		return nil, err
	}
	if o.Test != "" && !strings.EqualFold(string(o.Test), string(TestExact)) && !strings.EqualFold(string(o.Test), string(TestWald)) {
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
	disp, err := edgerDispersions(ctx, c, group, ng, eff, workers)
	if err != nil {
		return nil, err
	}

	res := newResults(n)
	res.Features = append([]string(nil), c.Features...)
	res.Method = MethodEdgeR
	res.FitType = FitLocfit
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
	if err := parallelRows(ctx, n, workers, func(lo, hi int) {
		var buf edgerExactBuf
		for i := lo; i < hi; i++ {
			lfc, p := edgerExactRow(c.Row(i), s1, s2, eff, disp.tagwise[i], &buf)
			res.Log2FoldChange[i] = lfc
			res.PValue[i] = p
		}
	}); err != nil {
		return nil, err
	}
	copy(res.PAdj, AdjustBH(res.PValue))
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

// effSizeFactors are edgeR's effective library sizes N_j·f_j scaled to
// geometric mean 1, reported as the results' size factors.
func effSizeFactors(eff []float64) []float64 {
	sf := append([]float64(nil), eff...)
	divideByGeoMean(sf)
	return sf
}
