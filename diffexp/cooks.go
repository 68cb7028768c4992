package diffexp

import (
	"math"
	"slices"
	"sort"
)

// cells groups samples with identical design-matrix rows (DESeq2's "cells").
type cells struct {
	id   []int // cell index per sample
	size []int // samples per cell
}

func designCells(x []float64, m, p int) cells {
	c := cells{id: make([]int, m)}
	var first []int // first sample of each cell
	for j := 0; j < m; j++ {
		r := x[j*p : (j+1)*p]
		id := -1
		for k, f := range first {
			if slices.Equal(x[f*p:(f+1)*p], r) {
				id = k
				break
			}
		}
		if id < 0 {
			id = len(first)
			first = append(first, j)
			c.size = append(c.size, 0)
		}
		c.id[j] = id
		c.size[id]++
	}
	return c
}

// nOrMore reports per sample whether its cell has at least n samples.
func (c cells) nOrMore(n int) []bool {
	out := make([]bool, len(c.id))
	for j, id := range c.id {
		out[j] = c.size[id] >= n
	}
	return out
}

// trimmedMean is R's mean(x, trim): drop floor(n·trim) values at each end
// (the median when trim ≥ 0.5). buf is scratch of len(x).
func trimmedMean(x []float64, trim float64, buf []float64) float64 {
	n := len(x)
	s := buf[:n]
	copy(s, x)
	if n <= 24 {
		// small cells: insertion sort beats two selections
		insertionSort(s)
		if trim >= 0.5 {
			if n%2 == 1 {
				return s[n/2]
			}
			return (s[n/2-1] + s[n/2]) / 2
		}
	} else if trim >= 0.5 {
		return medianSelect(s)
	}
	lo := int(math.Floor(float64(n) * trim))
	if lo > 0 && n > 24 {
		// s[:lo] the lo smallest, then s[lo:n-lo] the middle values
		selectKth(s, lo)
		selectKth(s[lo:], n-2*lo-1)
	}
	sum := 0.0
	for _, v := range s[lo : n-lo] {
		sum += v
	}
	return sum / float64(n-2*lo)
}

// insertionSort sorts s in increasing order (fastest for short s).
func insertionSort(s []float64) {
	for i := 1; i < len(s); i++ {
		v := s[i]
		k := i
		for k > 0 && s[k-1] > v {
			s[k] = s[k-1]
			k--
		}
		s[k] = v
	}
}

// trimmedVar returns mean(d², trim) for d = x − mean(x, trim), R's
// trimmed means with trim < 0.5, reordering x and using buf (len(x)) as
// scratch. x is sorted once; the squared deviations come out in ascending
// order by merging outwards from the trimmed mean.
func trimmedVar(x []float64, trim float64, buf []float64) float64 {
	n := len(x)
	if n <= 24 {
		insertionSort(x)
	} else if v, ok := trimmedVarSelect(x, trim, buf); ok {
		return v
	} else {
		slices.Sort(x)
	}
	lo := int(math.Floor(float64(n) * trim))
	cm := 0.0
	for _, v := range x[lo : n-lo] {
		cm += v
	}
	cm /= float64(n - 2*lo)
	r := sort.SearchFloat64s(x, cm) // first x ≥ cm
	l := r - 1
	sq := buf[:n]
	for k := range sq {
		if l >= 0 && (r >= n || cm-x[l] <= x[r]-cm) {
			d := x[l] - cm
			sq[k] = d * d
			l--
		} else {
			d := x[r] - cm
			sq[k] = d * d
			r++
		}
	}
	s := 0.0
	for _, v := range sq[lo : n-lo] {
		s += v
	}
	return s / float64(n-2*lo)
}

// trimmedVarSelect is trimmedVar by selection instead of sorting, for
// larger inputs: lo = ⌊n·trim⌋ values are cut at either end (L, U) to get
// the trimmed mean cm of the middle M; the lo largest squared deviations
// are among L ∪ U (the farthest points from any c are a prefix and a
// suffix of the sorted values), and the lo smallest are taken from M —
// which is checked (every deviation in L ∪ U at least the largest of
// them); ok is false when the check fails.
func trimmedVarSelect(x []float64, trim float64, buf []float64) (float64, bool) {
	n := len(x)
	lo := int(math.Floor(float64(n) * trim))
	if lo == 0 {
		return 0, false
	}
	selectKth(x, lo)
	selectKth(x[lo:], n-2*lo-1)
	nm := n - 2*lo
	cm := 0.0
	for _, v := range x[lo : n-lo] {
		cm += v
	}
	cm /= float64(nm)
	sqM := buf[:nm]
	for k, v := range x[lo : n-lo] {
		d := v - cm
		sqM[k] = d * d
	}
	ext := buf[nm:n]
	k := 0
	for _, v := range x[:lo] {
		d := v - cm
		ext[k] = d * d
		k++
	}
	for _, v := range x[n-lo:] {
		d := v - cm
		ext[k] = d * d
		k++
	}
	smallMax := selectKth(sqM, lo-1) // sqM[:lo] the lo smallest of M
	for _, v := range ext {
		if v < smallMax {
			return 0, false
		}
	}
	selectKth(ext, lo) // ext[lo:] the lo largest of L ∪ U
	s := 0.0
	for _, v := range sqM[lo:] {
		s += v
	}
	for _, v := range ext[:lo] {
		s += v
	}
	return s / float64(nm), true
}

// minRobustDisp is the floor of robustDisp (DESeq2's
// robustMethodOfMomentsDisp: pmax(alpha, 0.04)).
const minRobustDisp = 0.04

// robustDisp is the dispersion used for Cook's distances: a robust
// method-of-moments estimate from trimmed within-cell variances (the
// largest over cells with ≥ 3 samples; trim 1/3, 1/4, 1/8 and scale 2.04,
// 1.86, 1.51 for cells of ≤ 3, ≤ 23 and more samples), or a trimmed
// variance over all samples when no cell has 3 samples, floored at 0.04.
func robustDisp(norm []float64, c cells, buf, buf2 []float64) float64 {
	m := len(norm)
	mean := 0.0
	for _, v := range norm {
		mean += v
	}
	mean /= float64(m)
	trimFor := func(n int) (float64, float64) {
		switch {
		case n <= 3:
			return 1.0 / 3, 2.04
		case n <= 23:
			return 1.0 / 4, 1.86
		default:
			return 1.0 / 8, 1.51
		}
	}
	v := math.Inf(-1)
	anyCell := false
	for id, n := range c.size {
		if n < 3 {
			continue
		}
		anyCell = true
		vals := buf2[:0]
		for j := 0; j < m; j++ {
			if c.id[j] == id {
				vals = append(vals, norm[j])
			}
		}
		trim, scale := trimFor(n)
		if cv := scale * trimmedVar(vals, trim, buf); cv > v {
			v = cv
		}
	}
	if !anyCell {
		vals := append(buf2[:0], norm...)
		v = 1.51 * trimmedVar(vals, 1.0/8, buf)
	}
	a := (v - mean) / (mean * mean)
	return math.Max(a, minRobustDisp)
}

// cooksDistances fills out with D_j = (y_j − μ_j)² / (μ_j + α μ_j²) / p ·
// h_j / (1 − h_j)² using the robust dispersion α.
func cooksDistances(out, y, mu, hat []float64, alpha float64, p int) {
	for j := range y {
		v := mu[j] + alpha*mu[j]*mu[j]
		r := (y[j] - mu[j]) * (y[j] - mu[j]) / v
		h := hat[j]
		out[j] = r / float64(p) * h / ((1 - h) * (1 - h))
	}
}
