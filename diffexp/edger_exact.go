package diffexp

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

type edgerExactBuf struct {
	y1, y2, logp []float64
}

// edgerExactRow returns edgeR's exactTest logFC (group 2 over group 1) and
// doubletail p-value for one feature.
func edgerExactRow(y []float64, s1, s2 []int, eff []float64, phi float64, buf *edgerExactBuf) (float64, float64) {
	both := append(append([]int(nil), s1...), s2...)
	meanLib, geo := 0.0, 0.0
	for _, j := range both {
		meanLib += eff[j]
		geo += math.Log(eff[j])
	}
	meanLib /= float64(len(both))
	geo = math.Exp(geo / float64(len(both)))
	m := len(y)
	offAug := make([]float64, m)
	yAug := make([]float64, m)
	off := make([]float64, m)
	for _, j := range both {
		pc := 0.125 * eff[j] / meanLib
		offAug[j] = math.Log(eff[j] + 2*pc)
		yAug[j] = y[j] + pc
		off[j] = math.Log(eff[j])
	}
	a1 := oneGroupNB(yAug, s1, offAug, phi, math.NaN())
	a2 := oneGroupNB(yAug, s2, offAug, phi, math.NaN())
	lfc := (a2 - a1) / math.Ln2

	ab := oneGroupNB(y, both, off, phi, math.NaN())
	e := math.Exp(ab)
	sum1, sum2 := 0.0, 0.0
	for _, j := range s1 {
		sum1 += q2qNB(y[j], e*eff[j], e*geo, phi)
	}
	for _, j := range s2 {
		sum2 += q2qNB(y[j], e*eff[j], e*geo, phi)
	}
	r1, r2 := math.RoundToEven(sum1), math.RoundToEven(sum2)
	if r1 > 900 && r2 > 900 {
		// like exactTestDoubleTail: the beta approximation takes the
		// unrounded pseudo-count sums
		return lfc, exactBetaApprox(sum1, sum2, float64(len(s1)), float64(len(s2)), phi)
	}
	return lfc, exactDoubleTail(r1, r2, len(s1), len(s2), phi, buf)
}

// q2qNB maps count x from NB(inMean, phi) to NB(outMean, phi) by averaging
// the normal and gamma quantile-to-quantile mappings (edgeR q2qnbinom).
// The result can be slightly negative for zero counts.
func q2qNB(x, inMean, outMean, phi float64) float64 {
	const eps = 1e-14
	if inMean < eps || outMean < eps {
		inMean += 0.25
		outMean += 0.25
	}
	ri := 1 + phi*inMean
	vi := inMean * ri
	ro := 1 + phi*outMean
	vo := outMean * ro
	// normal approximation: the mapping keeps the z-score
	q1 := outMean + math.Sqrt(vo)*(x-inMean)/math.Sqrt(vi)
	// gamma approximation: shape μ/r, scale r, mapped through the tail
	// probability on the side of x
	ai, ao := inMean/ri, outMean/ro
	var q2 float64
	const tiny = 1e-290
	if x >= inMean {
		p2 := mathext.GammaIncRegComp(ai, x/ri)
		if p2 > tiny {
			q2 = mathext.GammaIncRegCompInv(ao, p2) * ro
		} else {
			q2 = wilsonHilferty(x/ri, ai, ao) * ro
		}
	} else {
		p2 := mathext.GammaIncReg(ai, x/ri)
		switch {
		case p2 <= 0:
			q2 = 0
		case p2 > tiny:
			q2 = mathext.GammaIncRegInv(ao, p2) * ro
		default:
			q2 = wilsonHilferty(x/ri, ai, ao) * ro
		}
	}
	// like q2qnbinom, negative values are kept (exactTest sums them as
	// they are; only equalizeLibSizes clamps at zero)
	return (q1 + q2) / 2
}

// wilsonHilferty maps a Gamma(ai, 1) quantile g to the Gamma(ao, 1)
// quantile with the same tail probability by the Wilson–Hilferty cube-root
// normal approximation; used only where the tail probability underflows.
func wilsonHilferty(g, ai, ao float64) float64 {
	z := (math.Cbrt(g/ai) - (1 - 1/(9*ai))) / math.Sqrt(1/(9*ai))
	v := 1 - 1/(9*ao) + z*math.Sqrt(1/(9*ao))
	if v <= 0 {
		return 0
	}
	return ao * v * v * v
}

// exactDoubleTail is edgeR's exactTestDoubleTail for one feature with
// rounded group sums s1, s2 over n1, n2 libraries.
func exactDoubleTail(s1, s2 float64, n1, n2 int, phi float64, buf *edgerExactBuf) float64 {
	s := s1 + s2
	fn1, fn2 := float64(n1), float64(n2)
	mu := s / (fn1 + fn2)
	mu1, mu2 := fn1*mu, fn2*mu
	if s1 > 900 && s2 > 900 {
		return exactBetaApprox(s1, s2, fn1, fn2, phi)
	}
	var lo, hi float64
	switch {
	case s1 < mu1:
		lo, hi = 0, s1
	case s1 > mu1:
		lo, hi = s1, s
	default:
		return 1
	}
	size1, size2 := fn1/phi, fn2/phi
	pbot := lnNB(s, s, phi/(fn1+fn2), true)
	buf.logp = buf.logp[:0]
	top := math.Inf(-1)
	// log of dnbinom(x; size1, mu1)·dnbinom(s−x; size2, mu2), by the
	// ratio of successive terms (the success probabilities μ/(size+μ) of
	// the two factors are equal and cancel)
	l := lnNB(lo, mu1, 1/size1, true) + lnNB(s-lo, mu2, 1/size2, true)
	for x := lo; x <= hi; x++ {
		if x > lo {
			l += math.Log((x-1+size1)*(s-x+1)) - math.Log(x*(s-x+size2))
		}
		buf.logp = append(buf.logp, l)
		top = math.Max(top, l)
	}
	acc := 0.0
	for _, l := range buf.logp {
		acc += math.Exp(l - top)
	}
	p := 2 * math.Exp(top+math.Log(acc)-pbot)
	return math.Min(p, 1)
}

// exactBetaApprox is edgeR's exactTestBetaApprox for large counts.
func exactBetaApprox(y1, y2, n1, n2, phi float64) float64 {
	y := y1 + y2
	if y <= 0 {
		return 1
	}
	mu := y / (n1 + n2)
	a1 := n1 * mu / (1 + phi*mu)
	a2 := n2 / n1 * a1
	med := mathext.InvRegIncBeta(a1, a2, 0.5)
	switch {
	case (y1+0.5)/y < med:
		return math.Min(1, 2*mathext.RegIncBeta(a1, a2, (y1+0.5)/y))
	case (y1-0.5)/y > med:
		return math.Min(1, 2*mathext.RegIncBeta(a2, a1, 1-(y1-0.5)/y))
	}
	return 1
}
