// Package corr holds the Pearson correlation that the report's sample
// clustering, the benchmark scorer's Spearman correlation and diffexp's
// golden tests share, and the two-pass mean and sum of squares of
// biomarker's feature ranking and edgeR's trend fallback.
package corr

import "math"

// MeanSS returns the mean of x and the sum of squared deviations from it,
// in two passes (x non-empty).
func MeanSS(x []float64) (mean, ss float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, ss
}

// Pearson is the Pearson correlation of x and y (same length): NaN when
// there are fewer than two pairs or either is flat.
func Pearson(x, y []float64) float64 {
	n := float64(len(x))
	if n < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
