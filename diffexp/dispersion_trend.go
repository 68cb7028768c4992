package diffexp

import (
	"errors"
	"math"
)

var errFitFailed = errors.New("diffexp: parametric dispersion fit failed")

// trend is a fitted mean–dispersion function.
type trend struct {
	typ       FitType // FitParametric, FitLocal or FitMean
	asympt    float64 // a0, or the constant of "mean"
	extraPois float64
	// local fit (locfit.go): vertices of the evaluation tree, sorted log
	// means, with the fitted log dispersion and its slope there
	localX, localY, localD []float64
	localC2                float64 // curvature of the extension (locfit.go)
}

func (t *trend) at(mean float64) float64 {
	switch t.typ {
	case FitParametric:
		return t.asympt + t.extraPois/mean
	case FitMean: // DESeq2's fitType "mean": a constant
		return t.asympt
	}
	return t.localAt(mean)
}

// fitParametricTrend fits α(μ) = a0 + a1/μ by iterated gamma-family GLMs
// with identity link, refitting on the genes whose ratio of estimate to
// fit lies in (1e-4, 15), starting from (0.1, 1), until the squared log
// change of the coefficients falls below 1e-6 (at most 10 rounds); both
// coefficients must stay positive.
func fitParametricTrend(means, disps []float64) (a0, a1 float64, err error) {
	c := [2]float64{0.1, 1}
	xs := make([]float64, 0, len(means))
	ys := make([]float64, 0, len(means))
	for iter := 0; ; iter++ {
		xs, ys = xs[:0], ys[:0]
		for i, mu := range means {
			r := disps[i] / (c[0] + c[1]/mu)
			if r > 1e-4 && r < 15 {
				xs = append(xs, 1/mu)
				ys = append(ys, disps[i])
			}
		}
		nc, conv, ok := gammaIdentityGLM(xs, ys, c)
		if !ok || !(nc[0] > 0 && nc[1] > 0) {
			return 0, 0, errFitFailed
		}
		l0, l1 := math.Log(nc[0]/c[0]), math.Log(nc[1]/c[1])
		c = nc
		if l0*l0+l1*l1 < 1e-6 && conv {
			return c[0], c[1], nil
		}
		if iter+1 > 10 {
			return 0, 0, errFitFailed
		}
	}
}

// gammaIdentityGLM fits y ~ b0 + b1 x with a Gamma family and identity link
// by IRLS from start (weights 1/μ², working response y, deviance-based
// convergence 1e-8 within 25 iterations, halving steps that leave μ ≤ 0),
// as R's glm.fit does.
func gammaIdentityGLM(x, y []float64, start [2]float64) ([2]float64, bool, bool) {
	n := len(x)
	if n < 2 {
		return start, false, false
	}
	dev := func(b [2]float64) (float64, bool) {
		s := 0.0
		for i := range x {
			mu := b[0] + b[1]*x[i]
			if !(mu > 0) {
				return 0, false
			}
			ratio := 1.0
			if y[i] != 0 {
				ratio = y[i] / mu
			}
			s += -2 * (math.Log(ratio) - (y[i]-mu)/mu)
		}
		return s, true
	}
	b := start
	devOld, ok := dev(b)
	if !ok {
		return b, false, false
	}
	for it := 0; it < 25; it++ {
		var sw, swx, swxx, swy, swxy float64
		for i := range x {
			mu := b[0] + b[1]*x[i]
			w := 1 / (mu * mu)
			sw += w
			swx += w * x[i]
			swxx += w * x[i] * x[i]
			swy += w * y[i]
			swxy += w * x[i] * y[i]
		}
		det := sw*swxx - swx*swx
		if det == 0 {
			return b, false, false
		}
		nb := [2]float64{(swxx*swy - swx*swxy) / det, (sw*swxy - swx*swy) / det}
		d, valid := dev(nb)
		for h := 0; !valid || math.IsInf(d, 0) || math.IsNaN(d); h++ {
			if h > 30 {
				return b, false, false
			}
			nb = [2]float64{(nb[0] + b[0]) / 2, (nb[1] + b[1]) / 2}
			d, valid = dev(nb)
		}
		b = nb
		if math.Abs(d-devOld)/(math.Abs(d)+0.1) < 1e-8 {
			return b, true, true
		}
		devOld = d
	}
	return b, false, true
}

// mad is R's mad(): 1.4826 × median absolute deviation from the median.
func mad(x []float64) float64 {
	c := append([]float64(nil), x...)
	med := medianSelect(c)
	for i, v := range x {
		c[i] = math.Abs(v - med)
	}
	return 1.4826 * medianSelect(c)
}
