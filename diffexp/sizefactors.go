package diffexp

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// SizeFactors estimates per-sample size factors by DESeq2's median-of-ratios
// method. typ "ratio" (or "") uses geometric means over features with no
// zero count and fails with ErrSizeFactors when every feature has a zero;
// "poscounts" uses, per feature, exp(Σ log k_ij over k_ij > 0 / m), takes
// each sample's median over its positive counts and scales the factors to
// geometric mean 1.
//
//	s_j = median_i { k_ij / g_i : g_i > 0 [, k_ij > 0] }
func SizeFactors(c *Counts, typ string) ([]float64, error) {
	m := len(c.Samples)
	n := len(c.Features)
	// log of every count, once (−Inf for zeros)
	logs := make([]float64, n*m)
	for k, v := range c.Values {
		if v > 0 {
			logs[k] = fastLog(v)
		} else {
			logs[k] = math.Inf(-1)
		}
	}
	logGeo := make([]float64, n)
	switch typ {
	case "", "ratio":
		for i := 0; i < n; i++ {
			s := 0.0
			for _, l := range logs[i*m : (i+1)*m] {
				s += l
			}
			logGeo[i] = s / float64(m)
		}
	case "poscounts":
		for i := 0; i < n; i++ {
			s := 0.0
			pos := false
			for _, l := range logs[i*m : (i+1)*m] {
				if !math.IsInf(l, -1) {
					s += l
					pos = true
				}
			}
			if pos {
				logGeo[i] = s / float64(m)
			} else {
				logGeo[i] = math.Inf(-1)
			}
		}
	default:
		return nil, fmt.Errorf("%w: unknown size factor type %q (ratio, poscounts)", ErrSizeFactors, typ)
	}
	usable := 0
	for _, g := range logGeo {
		if !math.IsInf(g, 0) {
			usable++
		}
	}
	if usable == 0 {
		if typ == "poscounts" {
			return nil, fmt.Errorf("%w: all counts are zero", ErrSizeFactors)
		}
		return nil, fmt.Errorf("%w: every feature has a zero in some sample, so no geometric mean is positive; use size factor type poscounts", ErrSizeFactors)
	}
	// per-sample medians, samples shared out among GOMAXPROCS goroutines
	sf := make([]float64, m)
	errs := make([]error, m)
	workers := min(runtime.GOMAXPROCS(0), m)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			buf := make([]float64, 0, n)
			for j := w; j < m; j += workers {
				buf = buf[:0]
				for i := 0; i < n; i++ {
					v := c.Values[i*m+j]
					if math.IsInf(logGeo[i], 0) || (typ == "poscounts" && v == 0) {
						continue
					}
					buf = append(buf, logs[i*m+j]-logGeo[i])
				}
				if len(buf) == 0 {
					errs[j] = fmt.Errorf("%w: sample %q has no positive count among usable features", ErrSizeFactors, c.Samples[j])
					continue
				}
				sf[j] = math.Exp(medianSelect(buf))
				if sf[j] == 0 || math.IsInf(sf[j], 0) || math.IsNaN(sf[j]) {
					errs[j] = fmt.Errorf("%w: sample %q gets size factor %g (too many zeros? try poscounts)", ErrSizeFactors, c.Samples[j], sf[j])
				}
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if typ == "poscounts" {
		s := 0.0
		for _, v := range sf {
			s += math.Log(v)
		}
		g := math.Exp(s / float64(m))
		for j := range sf {
			sf[j] /= g
		}
	}
	return sf, nil
}

// median returns the median of x, reordering x.
func median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	sort.Float64s(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// medianSelect returns the median of x like median, by selection in
// expected linear time (x is reordered).
func medianSelect(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	hi := selectKth(x, n/2)
	if n%2 == 1 {
		return hi
	}
	// the lower middle is the largest value left of position n/2
	lo := x[0]
	for _, v := range x[1 : n/2] {
		lo = math.Max(lo, v)
	}
	return (lo + hi) / 2
}

// selectKth partially orders x so that x[k] is its k-th smallest value (0
// based), smaller values before it and larger after, and returns x[k].
// Hoare partitioning with a median-of-three pivot.
func selectKth(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		pivot := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < pivot {
				i++
			}
			for x[j] > pivot {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return x[k]
		}
	}
	return x[k]
}
