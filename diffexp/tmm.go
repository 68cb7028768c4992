package diffexp

import (
	"math"
	"sort"
)

// TMM returns edgeR's trimmed mean of M-values normalisation factors, one
// per sample, as calcNormFactors(method = "TMM") of edgeR 3.40 computes
// them (Robinson & Oshlack 2010, Genome Biology 11:R25):
//
//	library size     N_j = Σ_i k_ij (all rows)
//	rows             rows that are zero in every sample are dropped
//	reference r      the sample whose upper quartile k_(0.75),j / N_j (R
//	                 quantile type 7) is closest to the mean of those
//	                 quartiles (first on ties); if their median is < 1e-20,
//	                 the sample with the largest Σ_i √k_ij
//	per sample j     M_i = log2((k_ij/N_j) / (k_ir/N_r))
//	                 A_i = (log2(k_ij/N_j) + log2(k_ir/N_r)) / 2
//	                 v_i = (N_j−k_ij)/(N_j k_ij) + (N_r−k_ir)/(N_r k_ir)
//	                 over rows with finite M and A, keep those whose rank of
//	                 M lies in [⌊0.3 n⌋+1, n−⌊0.3 n⌋] and rank of A in
//	                 [⌊0.05 n⌋+1, n−⌊0.05 n⌋] (average ranks on ties);
//	                 f_j = 2^(Σ M_i/v_i / Σ 1/v_i); f_j = 1 when all |M| < 1e-6
//	scaling          f_j / geometric mean of f
//
// A sample whose library size is zero gets the factor 1 before scaling and
// is never the reference (edgeR fails on such data).
func TMM(c *Counts) []float64 {
	m := len(c.Samples)
	f := make([]float64, m)
	for j := range f {
		f[j] = 1
	}
	if m == 0 {
		return f
	}
	n := len(c.Features)
	lib := make([]float64, m)
	var keep []int
	for i := 0; i < n; i++ {
		row := c.Row(i)
		nz := false
		for j, v := range row {
			lib[j] += v
			if v > 0 {
				nz = true
			}
		}
		if nz {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 || m == 1 {
		return f
	}
	ref := tmmRefColumn(c, keep, lib)
	if ref < 0 {
		return f
	}
	obs := make([]float64, len(keep))
	refv := make([]float64, len(keep))
	for k, i := range keep {
		refv[k] = c.At(i, ref)
	}
	for j := 0; j < m; j++ {
		if lib[j] == 0 {
			continue
		}
		for k, i := range keep {
			obs[k] = c.At(i, j)
		}
		f[j] = tmmFactor(obs, refv, lib[j], lib[ref], 0.3, 0.05)
	}
	divideByGeoMean(f)
	return f
}

// tmmRefColumn picks edgeR's default TMM reference sample, or -1.
func tmmRefColumn(c *Counts, keep []int, lib []float64) int {
	m := len(lib)
	f75 := make([]float64, 0, m)
	idx := make([]int, 0, m)
	col := make([]float64, len(keep))
	for j := 0; j < m; j++ {
		if lib[j] == 0 {
			continue
		}
		for k, i := range keep {
			col[k] = c.At(i, j)
		}
		f75 = append(f75, quantile7(col, 0.75)/lib[j])
		idx = append(idx, j)
	}
	if len(idx) == 0 {
		return -1
	}
	med := append([]float64(nil), f75...)
	sort.Float64s(med)
	var mdn float64
	if h := len(med); h%2 == 1 {
		mdn = med[h/2]
	} else {
		mdn = (med[h/2-1] + med[h/2]) / 2
	}
	best := -1
	if mdn < 1e-20 {
		bestS := -1.0
		for _, j := range idx {
			s := 0.0
			for _, i := range keep {
				s += math.Sqrt(c.At(i, j))
			}
			if s > bestS {
				best, bestS = j, s
			}
		}
		return best
	}
	mean := 0.0
	for _, v := range f75 {
		mean += v
	}
	mean /= float64(len(f75))
	bestD := math.Inf(1)
	for k, v := range f75 {
		if d := math.Abs(v - mean); d < bestD {
			best, bestD = idx[k], d
		}
	}
	return best
}

// quantile7 is R's default (type 7) sample quantile; x is not modified.
func quantile7(x []float64, p float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return quantileR7(s, p)
}

// tmmFactor is the TMM factor of obs against ref (unscaled).
func tmmFactor(obs, ref []float64, nO, nR, logratioTrim, sumTrim float64) float64 {
	var logR, absE, v []float64
	maxAbs := 0.0
	for k := range obs {
		o, r := obs[k], ref[k]
		lr := math.Log2((o / nO) / (r / nR))
		ae := (math.Log2(o/nO) + math.Log2(r/nR)) / 2
		if math.IsNaN(lr) || math.IsInf(lr, 0) || math.IsNaN(ae) || math.IsInf(ae, 0) {
			continue
		}
		logR = append(logR, lr)
		absE = append(absE, ae)
		v = append(v, (nO-o)/nO/o+(nR-r)/nR/r)
		if a := math.Abs(lr); a > maxAbs {
			maxAbs = a
		}
	}
	if len(logR) == 0 || maxAbs < 1e-6 {
		return 1
	}
	n := float64(len(logR))
	loL := math.Floor(n*logratioTrim) + 1
	hiL := n + 1 - loL
	loS := math.Floor(n*sumTrim) + 1
	hiS := n + 1 - loS
	rl := averageRanks(logR)
	ra := averageRanks(absE)
	num, den := 0.0, 0.0
	for k := range logR {
		if rl[k] >= loL && rl[k] <= hiL && ra[k] >= loS && ra[k] <= hiS {
			num += logR[k] / v[k]
			den += 1 / v[k]
		}
	}
	f := num / den
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	return math.Exp2(f)
}

// averageRanks returns 1-based ranks of x with ties given their average
// rank (R rank(ties.method = "average")).
func averageRanks(x []float64) []float64 {
	n := len(x)
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	sort.SliceStable(o, func(a, b int) bool { return x[o[a]] < x[o[b]] })
	r := make([]float64, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && x[o[j]] == x[o[i]] {
			j++
		}
		avg := float64(i+1+j) / 2 // mean of ranks i+1..j
		for k := i; k < j; k++ {
			r[o[k]] = avg
		}
		i = j
	}
	return r
}
