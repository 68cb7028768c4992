package diffexp

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
)

// ROC is the biomarker performance of one feature: the area under the ROC
// curve of its normalised expression for separating the positive group
// (tumor) from the negative group (control), with a 95% DeLong confidence
// interval.
//
// AUC is oriented by Direction: for DirectionUp (higher in the positive
// group) it is P(X_pos > X_neg) + ½ P(X_pos = X_neg); for DirectionDown one minus
// that, so AUC ≥ 0.5 always (like pROC's direction = "auto"). Lower and
// Upper bound the oriented AUC and are clipped to [0, 1].
type ROC struct {
	Feature      string
	AUC          float64
	Lower, Upper float64
	Direction    Direction // DirectionUp or DirectionDown
}

// rocTieTol is the relative difference below which two normalised values
// count as tied: counts that are equal after normalisation (k/s with the
// same ratio) can differ in the last bit of floating point, and whether
// they tie must not depend on rounding.
const rocTieTol = 1e-12

// rocZ975 is the 0.975 quantile of the standard normal distribution.
var rocZ975 = 1.959963984540054

// ROCAUC computes per-feature ROC AUCs of normalised expression
// k_ij / s_j between samples whose coldata column equals positive and those
// equal to negative (other samples are ignored), in input row order.
//
// The AUC is the Mann–Whitney statistic (ties count ½; values within a
// relative 1e-12 of each other are ties). Its variance is
// DeLong's (DeLong, DeLong & Clarke-Pearson 1988, Biometrics 44:837), from
// the structural components
//
//	V10(x_i) = (1/n0) Σ_k ψ(x_i, y_k),   V01(y_k) = (1/n1) Σ_i ψ(x_i, y_k)
//	Var(AUC) = S10/n1 + S01/n0,  S = sample variances (denominator n−1)
//
// and the interval is AUC ± z_0.975 √Var, clipped to [0, 1], as pROC's
// ci.auc(method = "delong") reports it.
//
// sizeFactors (one per sample, in c's order) normalise the counts; nil
// means DESeq2 median-of-ratios factors (poscounts when every feature has a
// zero). Each group needs at least two samples.
func ROCAUC(c *Counts, cd *ColData, sizeFactors []float64, column, positive, negative string) ([]ROC, error) {
	m := len(c.Samples)
	cd, err := cd.Align(c.Samples)
	if err != nil {
		return nil, err
	}
	col := cd.Column(column)
	if col == nil {
		return nil, fmt.Errorf("%w: variable %q not in coldata", ErrContrast, column)
	}
	var pos, neg []int
	for j, v := range col {
		switch v {
		case positive:
			pos = append(pos, j)
		case negative:
			neg = append(neg, j)
		}
	}
	for _, g := range []struct {
		level string
		n     int
	}{{positive, len(pos)}, {negative, len(neg)}} {
		if g.n < 2 {
			return nil, fmt.Errorf("%w: %d sample(s) with %s = %q; ROC confidence intervals need at least 2 per group", ErrTooFewReplicates, g.n, column, g.level)
		}
	}
	sf := sizeFactors
	if sf == nil {
		sf, err = SizeFactors(c, SizeFactorsRatio)
		if err != nil {
			sf, err = SizeFactors(c, SizeFactorsPoscounts)
			if err != nil {
				return nil, err
			}
		}
	}
	if len(sf) != m {
		return nil, fmt.Errorf("%w: %d size factors for %d samples", ErrSizeFactors, len(sf), m)
	}
	for j, s := range sf {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%w: size factor %v of sample %q", ErrSizeFactors, s, c.Samples[j])
		}
	}
	out := make([]ROC, len(c.Features))
	x := make([]float64, len(pos))
	y := make([]float64, len(neg))
	for i, name := range c.Features {
		row := c.Row(i)
		for k, j := range pos {
			x[k] = row[j] / sf[j]
		}
		for k, j := range neg {
			y[k] = row[j] / sf[j]
		}
		auc, v := delongAUC(x, y)
		r := ROC{Feature: name, AUC: auc, Direction: DirectionUp}
		if auc < 0.5 {
			r.AUC, r.Direction = 1-auc, DirectionDown
		}
		half := rocZ975 * math.Sqrt(v)
		r.Lower = math.Max(0, r.AUC-half)
		r.Upper = math.Min(1, r.AUC+half)
		out[i] = r
	}
	return out, nil
}

// delongAUC returns the Mann–Whitney AUC P(X > Y) + ½P(X = Y) and its
// DeLong variance for positives x and negatives y (each of length ≥ 2).
func delongAUC(x, y []float64) (auc, variance float64) {
	n1, n0 := float64(len(x)), float64(len(y))
	v10 := make([]float64, len(x))
	v01 := make([]float64, len(y))
	for i, a := range x {
		for k, b := range y {
			var psi float64
			switch {
			case math.Abs(a-b) <= rocTieTol*math.Max(math.Abs(a), math.Abs(b)):
				psi = 0.5
			case a > b:
				psi = 1
			}
			v10[i] += psi
			v01[k] += psi
			auc += psi
		}
	}
	auc /= n1 * n0
	for i := range v10 {
		v10[i] /= n0
	}
	for k := range v01 {
		v01[k] /= n1
	}
	s10, s01 := 0.0, 0.0
	for _, v := range v10 {
		s10 += (v - auc) * (v - auc)
	}
	for _, v := range v01 {
		s01 += (v - auc) * (v - auc)
	}
	s10 /= n1 - 1
	s01 /= n0 - 1
	return auc, s10/n1 + s01/n0
}

// WriteROC writes r as a tab-separated table with the header
// "mirna auc lower upper direction" (numbers with up to 10 significant
// digits, NaN as NA), rows in the order given.
func WriteROC(w io.Writer, r []ROC) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("mirna\tauc\tlower\tupper\tdirection\n")
	f := func(v float64) string {
		if math.IsNaN(v) {
			return "NA"
		}
		return strconv.FormatFloat(v, 'g', 10, 64)
	}
	for _, x := range r {
		bw.WriteString(x.Feature)
		for _, v := range []float64{x.AUC, x.Lower, x.Upper} {
			bw.WriteByte('\t')
			bw.WriteString(f(v))
		}
		bw.WriteByte('\t')
		bw.WriteString(string(x.Direction))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
