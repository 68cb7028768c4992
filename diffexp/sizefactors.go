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
func SizeFactors(c *Counts, typ SizeFactorType) ([]float64, error) {
	m := len(c.Samples)
	n := len(c.Features)
	if typ != "" && typ != SizeFactorsRatio && typ != SizeFactorsPoscounts {
		return nil, fmt.Errorf("%w: unknown size factor type %q (ratio, poscounts)", ErrSizeFactors, typ)
	}
	pos := typ == SizeFactorsPoscounts
	logIntOnce.Do(func() {
		for k := 1; k < logIntN; k++ {
			logInt[k] = math.Log(float64(k))
		}
	})
	workers := max(1, min(runtime.GOMAXPROCS(0), m))
	// log geometric means per row (rows shared out in blocks)
	logGeo := make([]float64, n)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				s := 0.0
				anyPos := false
				for _, v := range c.Values[i*m : (i+1)*m] {
					if v > 0 {
						s += logCount(v)
						anyPos = true
					} else if !pos {
						s = math.Inf(-1)
					}
				}
				switch {
				case pos && !anyPos:
					logGeo[i] = math.Inf(-1)
				default:
					logGeo[i] = s / float64(m)
				}
			}
		}(n*w/workers, n*(w+1)/workers)
	}
	wg.Wait()
	usable := 0
	for _, g := range logGeo {
		if !math.IsInf(g, 0) {
			usable++
		}
	}
	if usable == 0 {
		if typ == SizeFactorsPoscounts {
			return nil, fmt.Errorf("%w: all counts are zero", ErrSizeFactors)
		}
		return nil, fmt.Errorf("%w: %w, so no geometric mean is positive; use size factor type poscounts", ErrSizeFactors, ErrZeroInEveryFeature)
	}
	// per-sample medians; each worker takes blocks of sampleBlock samples
	// (one cache line of a row) and gathers their ratios in one pass over
	// the rows
	const sampleBlock = 8
	sf := make([]float64, m)
	errs := make([]error, m)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			bufs := make([][]float64, sampleBlock)
			for b := range bufs {
				bufs[b] = make([]float64, 0, n)
			}
			win := make([]float64, n)
			for j0 := w * sampleBlock; j0 < m; j0 += workers * sampleBlock {
				j1 := min(j0+sampleBlock, m)
				for b := range bufs {
					bufs[b] = bufs[b][:0]
				}
				for i := 0; i < n; i++ {
					g := logGeo[i]
					if math.IsInf(g, 0) {
						continue
					}
					for j, v := range c.Values[i*m+j0 : i*m+j1] {
						// (with "ratio", usable rows have no zeros)
						if v > 0 {
							bufs[j] = append(bufs[j], logCount(v)-g)
						}
					}
				}
				for j := j0; j < j1; j++ {
					buf := bufs[j-j0]
					if len(buf) == 0 {
						errs[j] = fmt.Errorf("%w: sample %q has no positive count among usable features", ErrSizeFactors, c.Samples[j])
						continue
					}
					sf[j] = math.Exp(medianWindow(buf, win))
					if sf[j] == 0 || math.IsInf(sf[j], 0) || math.IsNaN(sf[j]) {
						errs[j] = fmt.Errorf("%w: sample %q gets size factor %g (too many zeros? try poscounts)", ErrSizeFactors, c.Samples[j], sf[j])
					}
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
	if typ == SizeFactorsPoscounts {
		divideByGeoMean(sf)
	}
	return sf, nil
}

// divideByGeoMean divides v in place by its geometric mean exp(mean log v).
func divideByGeoMean(v []float64) {
	s := 0.0
	for _, x := range v {
		s += math.Log(x)
	}
	g := math.Exp(s / float64(len(v)))
	for j := range v {
		v[j] /= g
	}
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
// logCount is log v for a positive count: a table for small integers.
func logCount(v float64) float64 {
	if v < logIntN && v == math.Trunc(v) {
		return logInt[int(v)]
	}
	return fastLog(v)
}

// logInt[k] = log k for the small counts that make up most of a matrix,
// filled on first use.
const logIntN = 4096

var (
	logInt     [logIntN]float64
	logIntOnce sync.Once
)

// medianWindow returns the median of x (reordering x) like medianSelect,
// faster for long inputs: the quantiles 0.5 ± 0.08 of a strided sample of
// about 256 values bound a window, one pass counts the values below it and
// copies those inside to win (scratch of len(x)), and the median is
// selected within the window; if it does not lie there, medianSelect.
func medianWindow(x, win []float64) float64 {
	n := len(x)
	if n < 512 {
		return medianSelect(x)
	}
	stride := n / 256
	k := 0
	for i := 0; i < n; i += stride {
		win[k] = x[i]
		k++
	}
	smp := win[:k]
	lo := selectKth(smp, int(0.42*float64(k)))
	hi := selectKth(smp, int(0.58*float64(k)))
	below, nw := 0, 0
	for _, v := range x {
		// branch-free (the sign bits of v − lo and hi − v): always store,
		// advance when inside the window
		a, b := math.Float64bits(v-lo), math.Float64bits(hi-v)
		win[nw] = v
		nw += int(1 - (a|b)>>63)
		below += int(a >> 63)
	}
	w := win[:nw]
	// 0-based ranks needed: n/2 (and n/2−1 for even n)
	first := n / 2
	if n%2 == 0 {
		first--
	}
	if below > first || below+len(w) <= n/2 {
		return medianSelect(x)
	}
	hiV := selectKth(w, n/2-below)
	if n%2 == 1 {
		return hiV
	}
	// the lower middle is the largest value left of rank n/2: inside the
	// window if below < n/2, else the largest value below the window
	if below < n/2 {
		loV := w[0]
		for _, v := range w[1 : n/2-below] {
			loV = max(loV, v)
		}
		return (loV + hiV) / 2
	}
	return medianSelect(x)
}

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
