package diffexp

import (
	"math"
	"sort"
)

// fitFDistDF is limma's fitFDist prior degrees of freedom for variances s2
// with residual df df1 and a natural cubic spline trend in covariate
// (df = 4 with ≥ 30 usable values, fewer below), Smyth 2004: the d0 of
// fitFDistTrend, 0 when no variance is usable.
func fitFDistDF(s2, df1, covariate []float64) float64 {
	d0, _ := fitFDistTrend(s2, df1, covariate)
	if math.IsNaN(d0) {
		return 0
	}
	return d0
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

// trigammaInverse solves ψ'(y) = v for y > 0 (ψ' is decreasing).
func trigammaInverse(v float64) float64 {
	lo, hi := -30.0, 30.0 // log y
	for it := 0; it < 200; it++ {
		mid := (lo + hi) / 2
		if trigammaFast(math.Exp(mid)) > v {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo + hi) / 2)
}
