// Package corr holds the Pearson correlation that the report's sample
// clustering, the benchmark scorer's Spearman correlation and diffexp's
// golden tests share.
package corr

import "math"

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
