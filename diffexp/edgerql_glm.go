package diffexp

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// edgerQLDesign runs EdgeRQL with a multi-term design (covariates first,
// the contrast variable last, its denominator the reference level):
// estimateDisp's dispersions with GLM fits (Levenberg) instead of the
// one-way closed form, then the same QL F-test.
func edgerQLDesign(ctx context.Context, c *Counts, cd *ColData, o Options) (*edgerQLFit, error) {
	variable := "condition"
	if len(o.Contrast) > 0 {
		variable = o.Contrast[0]
	}
	o1 := o
	o1.Design = ""
	st, err := edgerPrepare(c, cd, o1, 1, "the QL F-test")
	if err != nil {
		return nil, err
	}
	cda, err := cd.Align(c.Samples)
	if err != nil {
		return nil, err
	}
	d, err := buildDesign(o.Design, cda, variable)
	if err != nil {
		return nil, err
	}
	if len(d.terms) == 0 || d.terms[len(d.terms)-1].name != variable {
		return nil, fmt.Errorf("%w: edger-ql needs the contrast variable %q last in the design %q", ErrDesign, variable, o.Design)
	}
	t := d.terms[len(d.terms)-1]
	if t.levels[0] != st.den {
		return nil, fmt.Errorf("%w: edger-ql with a multi-term design needs the denominator %q to be the reference level %q", ErrContrast, st.den, t.levels[0])
	}
	coef := -1
	for k, l := range t.levels {
		if l == st.num && k > 0 {
			coef = t.cols[k-1]
		}
	}
	m, n, p := len(c.Samples), len(c.Features), d.p
	if matRank(d.x, m, p) < p {
		return nil, fmt.Errorf("%w: %s", ErrRank, o.Design)
	}
	if m <= p {
		return nil, fmt.Errorf("%w: %d samples for %d coefficients leave no residual degrees of freedom", ErrTooFewReplicates, m, p)
	}
	x0 := make([]float64, m*(p-1))
	for j := 0; j < m; j++ {
		k := 0
		for a := 0; a < p; a++ {
			if a != coef {
				x0[j*(p-1)+k] = d.x[j*p+a]
				k++
			}
		}
	}
	off := make([]float64, m)
	for j, e := range st.eff {
		off[j] = math.Log(e)
	}
	workers := o.Workers

	// estimateDisp: APL on the grid for rows with row sum ≥ 5
	gridT := make([]float64, edgerGridLen)
	for k := range gridT {
		gridT[k] = -10 + float64(k)
	}
	var sel []int
	for i := 0; i < n; i++ {
		s := 0.0
		for _, v := range c.Row(i) {
			s += v
		}
		if s >= 5 {
			sel = append(sel, i)
		}
	}
	ns := len(sel)
	if ns == 0 {
		return nil, fmt.Errorf("%w: no feature has a row sum ≥ 5; no dispersion can be estimated", ErrEmpty)
	}
	apl := make([][]float64, ns)
	if err := parallelRows(ctx, ns, workers, func(lo, hi int) {
		f := newNBFit(d.x, m, p)
		disp := make([]float64, m)
		for k := lo; k < hi; k++ {
			apl[k] = glmAPLRow(c.Row(sel[k]), d.x, m, p, off, gridT, f, disp)
		}
	}); err != nil {
		return nil, err
	}
	sum := make([]float64, edgerGridLen)
	for _, row := range apl {
		for k, v := range row {
			sum[k] += v
		}
	}
	common := 0.1 * math.Exp2(maximizeInterpolant(gridT, sum))
	alc, err := aveLogCPM(ctx, c, st.eff, common, workers)
	if err != nil {
		return nil, err
	}
	cov := make([]float64, ns)
	for k, i := range sel {
		cov[k] = alc[i]
	}
	span := 1.0
	if ns > 50 {
		span = 0.25 + 0.75*math.Sqrt(50/float64(ns))
	}
	smoothed := localConstantSmooth(cov, apl, span)
	trended := make([]float64, n)
	minK := 0
	for k := range sel {
		if cov[k] < cov[minK] {
			minK = k
		}
	}
	low := 0.1 * math.Exp2(maximizeInterpolant(gridT, smoothed[minK]))
	for i := range trended {
		trended[i] = low
	}
	for k, i := range sel {
		trended[i] = 0.1 * math.Exp2(maximizeInterpolant(gridT, smoothed[k]))
	}

	res := newQLResults(c, st, common, alc, d.names)
	lr := make([]float64, n)
	df := make([]float64, n)
	s2 := make([]float64, n)
	mus := make([]float64, n*m)
	unshrunk := make([]float64, n*p)
	if err := parallelRows(ctx, n, workers, func(lo, hi int) {
		f := newNBFit(d.x, m, p)
		f0 := newNBFit(x0, m, p-1)
		disp := make([]float64, m)
		for i := lo; i < hi; i++ {
			y := c.Row(i)
			phi := trended[i]
			for j := range disp {
				disp[j] = phi
			}
			s := 0.0
			for j, v := range y {
				s += v / res.SizeFactors[j]
			}
			res.BaseMean[i] = s / float64(m)
			res.DispFit[i], res.Dispersion[i] = phi, phi
			res.Log2FoldChange[i] = f.shrunk(y, off, disp, 0.125)[coef] / math.Ln2
			mu := f.fit(y, off, disp)
			copy(unshrunk[i*p:(i+1)*p], f.beta)
			copy(mus[i*m:(i+1)*m], mu)
			dev1 := 0.0
			for j, v := range y {
				dev1 += edgerUnitDeviance(v, mu[j], phi)
			}
			mu0 := f0.fit(y, off, disp)
			dev0 := 0.0
			for j, v := range y {
				dev0 += edgerUnitDeviance(v, mu0[j], phi)
			}
			lr[i] = dev0 - dev1
			df[i] = glmResidDF(y, mu, d.x, m, p)
			if df[i] > 0 {
				s2[i] = math.Max(dev1/df[i], 0)
			}
		}
	}); err != nil {
		return nil, err
	}
	ql := qlStage{res: res, lr: lr, df: df, s2: s2, cov: alc, trended: trended, mus: mus, m: m, maxDF: float64(n * (m - p))}
	return ql.fTest(ctx, workers, func() func(i int) float64 {
		f := newNBFit(d.x, m, p)
		f0 := newNBFit(x0, m, p-1)
		zero := make([]float64, m)
		return func(i int) float64 {
			y := c.Row(i)
			start := unshrunk[i*p : (i+1)*p]
			if math.IsNaN(start[0]) {
				start = nil
			}
			mu := f.fitFrom(y, off, zero, start)
			dev1 := 0.0
			for j, v := range y {
				dev1 += edgerUnitDeviance(v, mu[j], 0)
			}
			mu0 := f0.fit(y, off, zero)
			dev0 := 0.0
			for j, v := range y {
				dev0 += edgerUnitDeviance(v, mu0[j], 0)
			}
			return dev0 - dev1
		}
	})
}

// isSingleFactor reports whether design is "~ variable" (or empty).
func isSingleFactor(design, variable string) bool {
	d := strings.Join(strings.Fields(design), "")
	return d == "" || d == "~"+variable || d == "~1+"+variable
}

// glmResidDF is edgeR's .residDF for one row: samples with y and μ below
// 1e-4 are set aside and the rank of the design on the rest subtracted.
func glmResidDF(y, mu, x []float64, m, p int) float64 {
	var rows []float64
	nzero := 0
	for j := 0; j < m; j++ {
		if y[j] < 1e-4 && mu[j] < 1e-4 {
			nzero++
			continue
		}
		rows = append(rows, x[j*p:(j+1)*p]...)
	}
	switch {
	case nzero == m:
		return 0
	case nzero == 0:
		return float64(m - p)
	}
	return math.Max(float64(m-nzero-matRank(rows, m-nzero, p)), 0)
}

// glmAPLRow is estimateDisp's Cox–Reid adjusted profile log-likelihood of
// one row on the dispersion grid 0.1·2^t with a general design: samples
// fitted at zero (at φ = 0.05) are dropped with the design columns they
// alone determine; rows left without residual df contribute zeros. Fits
// on the grid start from the previous grid point's coefficients.
func glmAPLRow(y, x []float64, m, p int, off, gridT []float64, f *nbFit, disp []float64) []float64 {
	out := make([]float64, len(gridT))
	for j := range disp {
		disp[j] = 0.05
	}
	mu := f.fit(y, off, disp)
	var keep []int
	for j := 0; j < m; j++ {
		if !(y[j] < 1e-4 && mu[j] < 1e-4) {
			keep = append(keep, j)
		}
	}
	if len(keep) == 0 {
		return out
	}
	xr, pr := x, p
	yr, offr := y, off
	fr := f
	if len(keep) < m {
		// columns in order, kept when they raise the rank (LINPACK's
		// pivoting moves deficient columns last)
		var cols []int
		sub := make([]float64, 0, len(keep)*p)
		for c := 0; c < p; c++ {
			try := append(append([]int(nil), cols...), c)
			sub = sub[:0]
			for _, j := range keep {
				for _, cc := range try {
					sub = append(sub, x[j*p+cc])
				}
			}
			if matRank(sub, len(keep), len(try)) == len(try) {
				cols = try
			}
		}
		pr = len(cols)
		if len(keep) == pr {
			return out
		}
		xr = make([]float64, 0, len(keep)*pr)
		yr = make([]float64, len(keep))
		offr = make([]float64, len(keep))
		for k, j := range keep {
			for _, cc := range cols {
				xr = append(xr, x[j*p+cc])
			}
			yr[k], offr[k] = y[j], off[j]
		}
		fr = newNBFit(xr, len(keep), pr)
	}
	mr := len(yr)
	dr := make([]float64, mr)
	var last []float64
	xtwx := make([]float64, pr*pr)
	for g, t := range gridT {
		phi := 0.1 * math.Exp2(t)
		for j := range dr {
			dr[j] = phi
		}
		mu := fr.fitFrom(yr, offr, dr, last)
		last = append(last[:0], fr.beta...)
		ll := 0.0
		for i := range xtwx {
			xtwx[i] = 0
		}
		for j := 0; j < mr; j++ {
			if mu[j] == 0 {
				continue
			}
			ll += lnNB(yr[j], mu[j], phi, true)
			w := mu[j] / (1 + phi*mu[j])
			row := xr[j*pr : (j+1)*pr]
			for a := 0; a < pr; a++ {
				for b := 0; b < pr; b++ {
					xtwx[a*pr+b] += row[a] * w * row[b]
				}
			}
		}
		out[g] = ll - 0.5*logDetLDL(xtwx, pr)
	}
	return out
}

// logDetLDL is the log determinant of a symmetric positive semi-definite
// matrix from its LDLᵀ diagonal, pivots below 1e-10 counted as 1e-10 (as
// edgeR's Cox–Reid adjustment).
func logDetLDL(a []float64, p int) float64 {
	w := append([]float64(nil), a...)
	s := 0.0
	for k := 0; k < p; k++ {
		dk := w[k*p+k]
		if dk < 1e-10 || math.IsNaN(dk) || math.IsInf(dk, 0) {
			s += math.Log(1e-10)
			continue
		}
		s += math.Log(dk)
		for i := k + 1; i < p; i++ {
			l := w[i*p+k] / dk
			for j := k + 1; j < p; j++ {
				w[i*p+j] -= l * w[k*p+j]
			}
		}
	}
	return s
}
