package diffexp

import (
	"context"
	"fmt"
	"math"
)

// VSTModel is a variance-stabilising transformation locked on training
// samples, to transform new samples exactly as the training samples were:
// a new sample's size factor is the median ratio of its counts to the
// training geometric means (over features with a positive geometric mean
// and a positive count; not rescaled, so that each sample is transformed
// on its own), and its normalised counts go through the training trend's
// transformation. Applied to the training counts it reproduces FitVST's
// values exactly.
type VSTModel struct {
	// Features are the training features, in training order.
	Features []string
	// LogGeoMeans are the training log geometric means; −Inf for features
	// with a zero count in some training sample (not used for size factors).
	LogGeoMeans []float64
	// FitType is the dispersion trend: FitParametric, FitLocal or FitMean.
	FitType FitType
	// AsymptDisp and ExtraPois are the parametric trend α = a0 + a1/μ.
	AsymptDisp, ExtraPois float64
	// MeanDisp is the "mean" trend's constant.
	MeanDisp float64
	// SplineX, SplineY, Eta and Xi give the "local" VST:
	// vst(q) = Eta·s(asinh q) + Xi, s the interpolating cubic spline (R's
	// splinefun "fmm") through the knots (SplineX, SplineY).
	SplineX, SplineY []float64
	Eta, Xi          float64
}

// FitVST is VST (ratio size factors only) that also returns the locked
// transformation, to apply to new samples with VSTModel.Apply. A cancelled
// ctx stops the fits with an error matching ctx.Err() under errors.Is.
func FitVST(ctx context.Context, c *Counts, cd *ColData, o TransformOptions) (*Transformed, *VSTModel, error) {
	if o.SizeFactorType != "" && o.SizeFactorType != SizeFactorsRatio {
		return nil, nil, fmt.Errorf("%w: a locked vst needs ratio size factors, not %q", ErrSizeFactors, o.SizeFactorType)
	}
	pl, err := trendStage(ctx, c, cd, o)
	if err != nil {
		return nil, nil, err
	}
	t, err := vstFromTrend(pl)
	if err != nil {
		return nil, nil, err
	}
	n, m := pl.n, pl.m
	vm := &VSTModel{Features: append([]string(nil), c.Features...), LogGeoMeans: make([]float64, n), FitType: pl.tr.typ}
	// as SizeFactors computes them, so that Apply's size factors of the
	// training samples are SizeFactors' to the bit
	for i := 0; i < n; i++ {
		s := 0.0
		for _, v := range c.Values[i*m : (i+1)*m] {
			if v > 0 {
				s += logCount(v)
			} else {
				s = math.Inf(-1)
			}
		}
		vm.LogGeoMeans[i] = s / float64(m)
	}
	switch pl.tr.typ {
	case FitParametric:
		vm.AsymptDisp, vm.ExtraPois = pl.tr.asympt, pl.tr.extraPois
	case FitMean:
		vm.MeanDisp = pl.tr.asympt
	default:
		nc := make([]float64, len(c.Values))
		for k, v := range c.Values {
			nc[k] = v / pl.sf[k%m]
		}
		sp, eta, xi := vstLocalFn(pl, nc, pl.tr.at)
		vm.SplineX, vm.SplineY, vm.Eta, vm.Xi = sp.x, sp.y, eta, xi
	}
	return t, vm, nil
}

// Check reports whether vm is usable (as read back from a file).
func (vm *VSTModel) Check() error {
	if len(vm.Features) == 0 || len(vm.LogGeoMeans) != len(vm.Features) {
		return fmt.Errorf("%w: vst model has %d features and %d geometric means", ErrEmpty, len(vm.Features), len(vm.LogGeoMeans))
	}
	switch vm.FitType {
	case FitParametric:
		if !(vm.AsymptDisp > 0) || !(vm.ExtraPois >= 0) {
			return fmt.Errorf("%w: parametric trend a0 = %g, a1 = %g", ErrDispersion, vm.AsymptDisp, vm.ExtraPois)
		}
	case FitMean:
		if !(vm.MeanDisp > 0) {
			return fmt.Errorf("%w: mean trend %g", ErrDispersion, vm.MeanDisp)
		}
	case FitLocal:
		if len(vm.SplineX) < 2 || len(vm.SplineX) != len(vm.SplineY) {
			return fmt.Errorf("%w: local vst with %d/%d knots", ErrDispersion, len(vm.SplineX), len(vm.SplineY))
		}
		for k := 1; k < len(vm.SplineX); k++ {
			if !(vm.SplineX[k] > vm.SplineX[k-1]) {
				return fmt.Errorf("%w: local vst knots not increasing at %d", ErrDispersion, k)
			}
		}
	default:
		return fmt.Errorf("%w: unknown fit type %q", ErrDispersion, vm.FitType)
	}
	return nil
}

// Apply transforms the counts c (features matched by name; extra features
// ignored) with the locked model. The result has vm's features in vm's
// order; features absent from c get NaN rows and are listed in missing.
// A sample without a positive count among the features with a positive
// training geometric mean is an error naming it.
func (vm *VSTModel) Apply(c *Counts) (t *Transformed, missing []string, err error) {
	if err := vm.Check(); err != nil {
		return nil, nil, err
	}
	if err := checkCounts(c); err != nil {
		return nil, nil, err
	}
	m := len(c.Samples)
	row := make(map[string]int, len(c.Features))
	for i, f := range c.Features {
		row[f] = i
	}
	n := len(vm.Features)
	src := make([]int, n)
	for i, f := range vm.Features {
		r, ok := row[f]
		if !ok {
			r = -1
			missing = append(missing, f)
		}
		src[i] = r
	}
	sf := make([]float64, m)
	buf := make([]float64, 0, n)
	for j := 0; j < m; j++ {
		buf = buf[:0]
		for i, g := range vm.LogGeoMeans {
			if src[i] < 0 || math.IsInf(g, 0) {
				continue
			}
			if v := c.Values[src[i]*m+j]; v > 0 {
				buf = append(buf, logCount(v)-g)
			}
		}
		if len(buf) == 0 {
			return nil, nil, fmt.Errorf("%w: sample %q has no positive count among the %d features usable for size factors", ErrSizeFactors, c.Samples[j], usableGeo(vm.LogGeoMeans, src))
		}
		sf[j] = math.Exp(median(buf))
	}
	t = &Transformed{Features: append([]string(nil), vm.Features...), Samples: append([]string(nil), c.Samples...),
		Values: make([]float64, n*m), SizeFactors: sf, FitType: vm.FitType,
		AsymptDisp: math.NaN(), ExtraPois: math.NaN(), MeanDisp: math.NaN(), BetaPriorVar: math.NaN()}
	var f func(q float64) float64
	switch vm.FitType {
	case FitParametric:
		a0, a1 := vm.AsymptDisp, vm.ExtraPois
		t.AsymptDisp, t.ExtraPois = a0, a1
		f = func(q float64) float64 {
			return math.Log((1+a1+2*a0*q+2*math.Sqrt(a0*q*(1+a1+a0*q)))/(4*a0)) / math.Ln2
		}
	case FitMean:
		a := vm.MeanDisp
		t.MeanDisp = a
		f = func(q float64) float64 { return (2*math.Asinh(math.Sqrt(a*q)) - math.Log(a) - math.Log(4)) / math.Ln2 }
	default:
		sp := newFMMSpline(vm.SplineX, vm.SplineY)
		f = func(q float64) float64 { return vm.Eta*sp.at(math.Asinh(q)) + vm.Xi }
	}
	for i := 0; i < n; i++ {
		out := t.Values[i*m : (i+1)*m]
		if src[i] < 0 {
			for j := range out {
				out[j] = math.NaN()
			}
			continue
		}
		for j, v := range c.Values[src[i]*m : (src[i]+1)*m] {
			out[j] = f(v / sf[j])
		}
	}
	return t, missing, nil
}

func usableGeo(g []float64, src []int) int {
	k := 0
	for i, v := range g {
		if src[i] >= 0 && !math.IsInf(v, 0) {
			k++
		}
	}
	return k
}
