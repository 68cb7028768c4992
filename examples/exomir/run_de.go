package main

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/quant"
)

// studyResult is the DE of a study, its biomarker ROC and the contrast
// it answers.
type studyResult struct {
	res      *diffexp.Results
	rocs     []diffexp.ROC
	contrast string
	// cd and opts are the coldata and settings of the fit, for the
	// isomiR-level DE (run_isomirs.go).
	cd   *diffexp.ColData
	opts diffexp.Options
}

// studyDE runs differential expression on the study's matrix and coldata
// (the bytes of mirna_counts.tsv and coldata.tsv). Without -contrast it
// compares the conditions chosen by diffexp.DefaultContrast, as exomir de
// does. When that default cannot be tested (one condition, fewer than two
// samples in a group) DE is skipped with a de_skipped warning; a contrast
// the user asked for that cannot be tested is an error. A matrix where
// every miRNA has a zero somewhere gets poscounts size factors, with a
// de_poscounts warning.
func studyDE(c *runConfig, sh *sheet, counts, coldata []byte) (*studyResult, string, []quant.Warning, error) {
	skip := func(format string, a ...any) (*studyResult, string, []quant.Warning, error) {
		msg := fmt.Sprintf(format, a...)
		return nil, "de: skipped, " + msg, []quant.Warning{{Code: quant.WarnDESkipped, Message: msg}}, nil
	}
	contrast := c.contrast
	if contrast == "" {
		conds := sh.conditions()
		num, den, err := diffexp.DefaultContrast(conds)
		if err != nil {
			return skip("the samplesheet has the single condition %q: nothing to compare", conds[0])
		}
		n := map[string]int{}
		for _, r := range sh.Rows {
			n[r.Condition]++
		}
		if n[num] < 2 || n[den] < 2 {
			return skip("default contrast %s vs %s: %s has %d and %s %d sample(s); at least 2 each are needed (conditions: %s)",
				num, den, num, n[num], den, n[den], strings.Join(conds, ", "))
		}
		contrast = "condition," + num + "," + den
	}
	a := &deArgs{
		counts:   filepath.Join(c.out, "mirna_counts.tsv"),
		coldata:  filepath.Join(c.out, "coldata.tsv"),
		roc:      filepath.Join(c.out, "roc.tsv"),
		design:   c.design,
		contrast: contrast,
		test:     c.test,
		redu:     "~ 1",
		method:   c.method,
		sfType:   "ratio",
		alpha:    0.1,
		threads:  c.threads,
	}
	cts, err := diffexp.ReadCounts(bytes.NewReader(counts), a.counts)
	if err != nil {
		return nil, "", nil, fmt.Errorf("de: %w", err)
	}
	cd, err := diffexp.ReadColData(bytes.NewReader(coldata), a.coldata)
	if err != nil {
		return nil, "", nil, fmt.Errorf("de: %w", err)
	}
	cda, err := deAlign(a, cts, cd)
	if err != nil {
		return nil, "", nil, fmt.Errorf("de: %w", err)
	}
	var ws []quant.Warning
	res, rocs, err := deFit(a, cts, cda)
	if errors.Is(err, diffexp.ErrZeroInEveryFeature) {
		// Small studies can have a zero in every miRNA row; DESeq2's
		// answer is the poscounts size factors. Said, not silent.
		ws = append(ws, quant.Warning{Code: quant.WarnDEPoscounts, Message: "every miRNA has a zero count in some sample, so DESeq2's ratio size factors do not exist; " +
			"poscounts size factors used instead (exomir de stops here unless given -sf-type poscounts)"})
		a.sfType = "poscounts"
		res, rocs, err = deFit(a, cts, cda)
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("de: %w", err)
	}
	parts := strings.Split(contrast, ",")
	note := fmt.Sprintf("de: %s vs %s (%s, %s test", parts[1], parts[2], a.method, a.test)
	if a.sfType != "ratio" {
		note += ", " + a.sfType + " size factors"
	}
	opts := diffexp.Options{Design: a.design, Contrast: []string{a.contrastVar, a.numLvl, a.denomLvl},
		Test: strings.ToLower(a.test), Alpha: a.alpha, Workers: a.threads}
	if opts.Test == "lrt" {
		opts.Reduced = a.redu
	}
	return &studyResult{res: res, rocs: rocs, contrast: parts[1] + " vs " + parts[2], cd: cda, opts: opts}, note + ")", ws, nil
}
