package diffexp

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// AdjustBH returns Benjamini–Hochberg adjusted p-values; NaN inputs stay
// NaN and do not count towards the number of tests (as R's p.adjust).
func AdjustBH(p []float64) []float64 {
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	return bhSorted(p, idx, len(p))
}

// bhSorted returns BH-adjusted p-values for the rows idx (sorted by
// increasing p), NaN elsewhere; n is the output length.
func bhSorted(p []float64, idx []int, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	m := len(idx)
	cm := math.Inf(1)
	for k := m - 1; k >= 0; k-- {
		v := float64(m) / float64(k+1) * p[idx[k]]
		if v < cm {
			cm = v
		}
		out[idx[k]] = math.Min(cm, 1)
	}
	return out
}

// quantileR7 is R's quantile(x, prob, type = 7) of sorted x.
func quantileR7(sorted []float64, prob float64) float64 {
	n := len(sorted)
	index := float64(n-1) * prob
	lo := int(math.Floor(index))
	hi := int(math.Ceil(index))
	q := sorted[lo]
	h := index - float64(lo)
	if index > float64(lo) && sorted[hi] != q {
		q = (1-h)*q + h*sorted[hi]
	}
	return q
}

// independentFilter implements DESeq2's results() independent filtering:
// for 50 quantiles θ of the filter statistic from the fraction of zeros up
// to 0.95, p-values of rows with filter ≥ quantile(θ) are BH-adjusted; a
// lowess curve (f = 1/5) is fitted to the rejection counts at alpha, and
// the first θ whose count exceeds the curve's maximum minus the residual
// root mean square is chosen (the first θ when at most 10 rejections).
// It returns the adjusted p-values and the chosen threshold.
func independentFilter(filter, pvalue []float64, alpha float64) ([]float64, float64) {
	const nq = 50
	n := len(filter)
	// the filter statistic is sorted while the p-values are ordered below
	sorted := append([]float64(nil), filter...)
	sortDone := make(chan struct{})
	go func() {
		slices.Sort(sorted)
		close(sortDone)
	}()
	zeros := 0
	for _, v := range filter {
		if v == 0 {
			zeros++
		}
	}
	lower := float64(zeros) / float64(n)
	upper := 0.95
	if lower >= 0.95 {
		upper = 1
	}
	theta := make([]float64, nq)
	by := (upper - lower) / (nq - 1)
	for k := range theta {
		theta[k] = lower + float64(k)*by
	}
	theta[nq-1] = upper
	cutoffs := make([]float64, nq)
	numRej := make([]float64, nq)
	// rows with a p-value, in increasing p-value order (ties by row)
	type pRow struct {
		p float64
		i int
	}
	pr := make([]pRow, 0, n)
	for i, v := range pvalue {
		if !math.IsNaN(v) {
			pr = append(pr, pRow{v, i})
		}
	}
	slices.SortFunc(pr, func(a, b pRow) int {
		if a.p != b.p {
			return cmp.Compare(a.p, b.p)
		}
		return a.i - b.i
	})
	order := make([]int, len(pr))
	for k, v := range pr {
		order[k] = v.i
	}
	keptAt := func(cut float64, kept []int) []int {
		kept = kept[:0]
		for _, i := range order {
			if filter[i] >= cut {
				kept = append(kept, i)
			}
		}
		return kept
	}
	<-sortDone
	for k, th := range theta {
		cutoffs[k] = quantileR7(sorted, th)
	}
	// filter statistic and p-value in p-value order
	fOrd := make([]float64, len(order))
	pOrd := make([]float64, len(order))
	for k, i := range order {
		fOrd[k], pOrd[k] = filter[i], pvalue[i]
	}
	// rejections per θ, the θs shared out among GOMAXPROCS goroutines
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < nq; k += workers {
				numRej[k] = float64(bhRejectionsAt(fOrd, pOrd, cutoffs[k], alpha))
			}
		}(w)
	}
	wg.Wait()
	kept := make([]int, 0, len(order))
	j := 0
	maxRej := 0.0
	for _, v := range numRej {
		maxRej = math.Max(maxRej, v)
	}
	if maxRej > 10 {
		fit := lowess(theta, numRej, 1.0/5, 3, 0.01*(theta[nq-1]-theta[0]))
		maxFit := math.Inf(-1)
		for _, v := range fit {
			maxFit = math.Max(maxFit, v)
		}
		ss, cnt := 0.0, 0
		for k, v := range numRej {
			if v > 0 {
				r := v - fit[k]
				ss += r * r
				cnt++
			}
		}
		thresh := maxFit - math.Sqrt(ss/float64(cnt))
		for k, v := range numRej {
			if v > thresh {
				j = k
				break
			}
		}
	}
	return bhSorted(pvalue, keptAt(cutoffs[j], kept), n), cutoffs[j]
}

// bhRejectionsAt is the number of BH-adjusted p-values below alpha that
// bhSorted would give for the rows with filter ≥ cut: the largest rank k
// (1-based, among those rows) with m/k·p_(k) < alpha, computed with
// bhSorted's expression; fOrd and pOrd are the filter statistics and
// p-values in increasing p order.
func bhRejectionsAt(fOrd, pOrd []float64, cut, alpha float64) int {
	m := 0
	for _, f := range fOrd {
		if f >= cut {
			m++
		}
	}
	k := m
	for j := len(fOrd) - 1; j >= 0; j-- {
		if fOrd[j] < cut {
			continue
		}
		if float64(m)/float64(k)*pOrd[j] < alpha {
			return k
		}
		k--
	}
	return 0
}

// lowess is Cleveland's (1979) robust locally weighted linear regression
// for x sorted ascending, with span f, iter robustness iterations and
// interpolation distance delta, as R's lowess().
func lowess(x, y []float64, f float64, iter int, delta float64) []float64 {
	n := len(x)
	ys := make([]float64, n)
	if n < 2 {
		copy(ys, y)
		return ys
	}
	ns := int(f*float64(n) + 1e-7)
	ns = max(2, min(n, ns))
	rw := make([]float64, n)
	res := make([]float64, n)
	w := make([]float64, n)
	for it := 1; it <= iter+1; it++ {
		nleft, nright, last, i := 0, ns-1, -1, 0
		for {
			if nright < n-1 {
				d1 := x[i] - x[nleft]
				d2 := x[nright+1] - x[i]
				if d1 > d2 {
					nleft++
					nright++
					continue
				}
			}
			v, ok := lowest(x, y, x[i], nleft, nright, w, it > 1, rw)
			if ok {
				ys[i] = v
			} else {
				ys[i] = y[i]
			}
			if last < i-1 {
				denom := x[i] - x[last]
				for j := last + 1; j < i; j++ {
					a := (x[j] - x[last]) / denom
					ys[j] = a*ys[i] + (1-a)*ys[last]
				}
			}
			last = i
			cut := x[last] + delta
			for i = last + 1; i < n; i++ {
				if x[i] > cut {
					break
				}
				if x[i] == x[last] {
					ys[i] = ys[last]
					last = i
				}
			}
			i = max(last+1, i-1)
			if last >= n-1 {
				break
			}
		}
		sc := 0.0
		for k := range res {
			res[k] = y[k] - ys[k]
			sc += math.Abs(res[k])
		}
		sc /= float64(n)
		if it > iter {
			break
		}
		for k := range rw {
			rw[k] = math.Abs(res[k])
		}
		srt := append([]float64(nil), rw...)
		sort.Float64s(srt)
		m1 := n / 2
		var cmad float64
		if n%2 == 0 {
			m2 := n - m1 - 1
			cmad = 3 * (srt[m1] + srt[m2])
		} else {
			cmad = 6 * srt[m1]
		}
		if cmad < 1e-7*sc {
			break
		}
		c9, c1 := 0.999*cmad, 0.001*cmad
		for k := range rw {
			r := math.Abs(res[k])
			switch {
			case r <= c1:
				rw[k] = 1
			case r <= c9:
				u := r / cmad
				rw[k] = (1 - u*u) * (1 - u*u)
			default:
				rw[k] = 0
			}
		}
	}
	return ys
}

// lowest is lowess's local weighted linear fit at xs over x[nleft..nright].
func lowest(x, y []float64, xs float64, nleft, nright int, w []float64, userw bool, rw []float64) (float64, bool) {
	n := len(x)
	rng := x[n-1] - x[0]
	h := math.Max(xs-x[nleft], x[nright]-xs)
	h9, h1 := 0.999*h, 0.001*h
	a := 0.0
	j := nleft
	for j < n {
		w[j] = 0
		r := math.Abs(x[j] - xs)
		if r <= h9 {
			if r <= h1 {
				w[j] = 1
			} else {
				u := r / h
				u = 1 - u*u*u
				w[j] = u * u * u
			}
			if userw {
				w[j] *= rw[j]
			}
			a += w[j]
		} else if x[j] > xs {
			break
		}
		j++
	}
	nrt := j - 1
	if a <= 0 {
		return 0, false
	}
	for j := nleft; j <= nrt; j++ {
		w[j] /= a
	}
	if h > 0 {
		a = 0
		for j := nleft; j <= nrt; j++ {
			a += w[j] * x[j]
		}
		b := xs - a
		c := 0.0
		for j := nleft; j <= nrt; j++ {
			c += w[j] * (x[j] - a) * (x[j] - a)
		}
		if math.Sqrt(c) > 0.001*rng {
			b /= c
			for j := nleft; j <= nrt; j++ {
				w[j] *= b*(x[j]-a) + 1
			}
		}
	}
	ys := 0.0
	for j := nleft; j <= nrt; j++ {
		ys += w[j] * y[j]
	}
	return ys, true
}
