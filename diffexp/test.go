package diffexp

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// waldTest returns the log2 fold change c·β/ln2, its standard error
// √(cᵀΣc)/ln2, the Wald statistic and the two-sided normal p-value.
func waldTest(beta, cov, c []float64) (lfc, se, stat, pval float64) {
	p := len(c)
	v := 0.0
	for a := 0; a < p; a++ {
		if c[a] == 0 {
			continue
		}
		lfc += c[a] * beta[a]
		for b := 0; b < p; b++ {
			v += c[a] * cov[a*p+b] * c[b]
		}
	}
	lfc /= math.Ln2
	se = math.Sqrt(v) / math.Ln2
	stat = lfc / se
	pval = math.Erfc(math.Abs(stat) / math.Sqrt2)
	return
}

// lrtPValue is the upper tail of χ²(df) at stat.
func lrtPValue(stat float64, df int) float64 {
	if math.IsNaN(stat) {
		return math.NaN()
	}
	if stat < 0 {
		stat = 0
	}
	return distuv.ChiSquared{K: float64(df)}.Survival(stat)
}

// fQuantile99 is the 0.99 quantile of F(p, m−p), DESeq2's default Cook's
// cutoff.
func fQuantile99(p, m int) float64 {
	return distuv.F{D1: float64(p), D2: float64(m - p)}.Quantile(0.99)
}
