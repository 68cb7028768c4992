package study

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/quant"
)

// DE is the differential expression of a study and its biomarker ROC.
type DE struct {
	Results *diffexp.Results
	ROC     []diffexp.ROC
	// Contrast is variable, numerator, denominator.
	Contrast []string
	// SizeFactorType is "ratio", or "poscounts" when every miRNA has a
	// zero somewhere (with a de_poscounts warning).
	SizeFactorType SizeFactorSource
}

// Counts returns the mature miRNA × sample count matrix of the study.
func (r *Result) Counts() *diffexp.Counts {
	m := &diffexp.Counts{Samples: make([]string, len(r.Samples))}
	for j, s := range r.Samples {
		m.Samples[j] = s.Quant.Name
	}
	m.Features = featureNames(r.Ref)
	m.Values = make([]float64, len(m.Features)*len(m.Samples))
	for j, s := range r.Samples {
		s.mature.each(func(i int, v int64) { m.Values[i*len(m.Samples)+j] = float64(v) })
	}
	return m
}

// colData returns the samplesheet as DE's sample table: condition, then
// the covariates.
func (sh *Sheet) colData() *diffexp.ColData {
	cd := &diffexp.ColData{Names: append([]string{"condition"}, sh.Extra...)}
	for _, name := range cd.Names {
		cd.Columns = append(cd.Columns, sh.column(name))
	}
	for _, r := range sh.Rows {
		cd.Samples = append(cd.Samples, r.Sample)
	}
	return cd
}

// studyDE runs differential expression on the study's matrix. Without
// c.Contrast it compares the conditions chosen by diffexp.DefaultContrast,
// as exomir de does. When that default cannot be tested (one condition,
// fewer than two samples in a group) DE is skipped with a de_skipped
// warning; a contrast the user asked for that cannot be tested is an
// error. A matrix where every miRNA has a zero somewhere gets poscounts
// size factors, with a de_poscounts warning. Both fallbacks are decided
// here, from diffexp's sentinel errors.
func studyDE(ctx context.Context, c *Config, sh *Sheet, counts, spike *diffexp.Counts) (*DE, string, []quant.Warning, error) {
	cd := sh.colData()
	contrast, err := resolveContrast(c, sh)
	sfType := SizeFactorsRatio
	if c.SizeFactors == SizeFactorsSpikein {
		sfType = SizeFactorsSpikein
	}
	var res *diffexp.Results
	var rocs []diffexp.ROC
	if err == nil {
		res, rocs, err = fitDE(ctx, c, counts, spike, cd, contrast, sfType, sh.File)
	}
	var ws []quant.Warning
	if errors.Is(err, diffexp.ErrZeroInEveryFeature) {
		// Small studies can have a zero in every miRNA row; DESeq2's
		// answer is the poscounts size factors. Said, not silent.
		ws = append(ws, quant.Warning{Code: quant.WarnDEPoscounts, Message: "every miRNA has a zero count in some sample, so DESeq2's ratio size factors do not exist; " +
			"poscounts size factors used instead (exomir de stops here unless given -sf-type poscounts)"})
		sfType = SizeFactorsPoscounts
		res, rocs, err = fitDE(ctx, c, counts, spike, cd, contrast, sfType, sh.File)
	}
	if c.Contrast == nil && (errors.Is(err, diffexp.ErrContrast) || errors.Is(err, diffexp.ErrTooFewReplicates)) {
		var skip *skipError
		msg := err.Error()
		if errors.As(err, &skip) {
			msg = skip.msg
		}
		return nil, "de: skipped, " + msg, []quant.Warning{{Code: quant.WarnDESkipped, Message: msg}}, nil
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("de: %w", err)
	}
	note := fmt.Sprintf("de: %s vs %s (%s, %s test", contrast[1], contrast[2], c.Method, c.Test)
	if sfType != SizeFactorsRatio {
		note += ", " + string(sfType) + " size factors"
	}
	return &DE{Results: res, ROC: rocs, Contrast: contrast, SizeFactorType: sfType}, note + ")", ws, nil
}

// skipError is why the default contrast cannot be tested, worded for the
// de_skipped warning.
type skipError struct {
	msg string
	err error // the diffexp sentinel
}

func (e *skipError) Error() string { return e.msg }
func (e *skipError) Unwrap() error { return e.err }

// resolveContrast returns c.Contrast, or the default one: the conditions
// chosen by diffexp.DefaultContrast with at least two samples each.
func resolveContrast(c *Config, sh *Sheet) ([]string, error) {
	if c.Contrast != nil {
		return c.Contrast, nil
	}
	conds := sh.Conditions()
	num, den, err := diffexp.DefaultContrast(conds)
	if err != nil {
		return nil, &skipError{fmt.Sprintf("the samplesheet has the single condition %q: nothing to compare", conds[0]), err}
	}
	n := map[string]int{}
	for _, r := range sh.Rows {
		n[r.Condition]++
	}
	if n[num] < 2 || n[den] < 2 {
		return nil, &skipError{fmt.Sprintf("default contrast %s vs %s: %s has %d and %s %d sample(s); at least 2 each are needed (conditions: %s)",
			num, den, num, n[num], den, n[den], strings.Join(conds, ", ")), diffexp.ErrTooFewReplicates}
	}
	return []string{"condition", num, den}, nil
}

// fitDE runs the method of c and the ROC for contrast.
func fitDE(ctx context.Context, c *Config, counts, spike *diffexp.Counts, cd *diffexp.ColData, contrast []string, sfType SizeFactorSource, file string) (*diffexp.Results, []diffexp.ROC, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	variable, num, den := contrast[0], contrast[1], contrast[2]
	if num == den {
		return nil, nil, fmt.Errorf("%w: numerator and denominator are both %q", diffexp.ErrContrast, num)
	}
	col := cd.Column(variable)
	n := map[string]int{}
	for _, v := range col {
		n[v]++
	}
	for _, l := range []string{num, den} {
		if n[l] < 2 {
			return nil, nil, fmt.Errorf("%w: %s = %q has %d sample(s) in %s; at least 2 per group are needed", diffexp.ErrTooFewReplicates, variable, l, n[l], file)
		}
	}
	o := diffexp.Options{Design: c.Design, Test: diffexp.Test(c.Test), Alpha: 0.1, SizeFactorType: diffexp.SizeFactorType(sfType),
		Workers: c.Threads, Contrast: contrast}
	if sfType == SizeFactorsSpikein {
		sf, err := spikeinSizeFactors(c, spike, counts.Samples)
		if err != nil {
			return nil, nil, err
		}
		o.SizeFactors, o.SizeFactorType = sf, ""
	}
	var res *diffexp.Results
	var err error
	if c.Method == MethodEdgeR {
		o.Test = ""
		res, err = diffexp.EdgeR(ctx, counts, cd, o)
	} else {
		if c.Test == TestLRT {
			o.Reduced = "~ 1"
		}
		res, err = diffexp.DESeq(ctx, counts, cd, o)
	}
	if err != nil {
		return nil, nil, err
	}
	rocs, err := diffexp.ROCAUC(counts, cd, res.SizeFactors, variable, num, den)
	if err != nil {
		return nil, nil, fmt.Errorf("roc: %w", err)
	}
	return res, rocs, nil
}
