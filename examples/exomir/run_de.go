package main

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/atomicfile"
)

// studyResult is the DE of a study and the contrast it answers.
type studyResult struct {
	res      *diffexp.Results
	contrast string
}

// studyDE runs differential expression on the study's matrix when the
// samplesheet has two conditions, writing de.tsv and roc.tsv. Without a
// testable contrast it returns a note saying why DE was skipped, unless the
// user asked for a contrast, which is then an error.
func studyDE(c *runConfig, sh *sheet) (*studyResult, []diffexp.ROC, string, error) {
	conds := sh.conditions()
	contrast := c.contrast
	if contrast == "" {
		if len(conds) < 2 {
			return nil, nil, "de: skipped, the samplesheet has one condition", nil
		}
		num, den := "", ""
		if containsString(conds, "tumor") && containsString(conds, "control") {
			num, den = "tumor", "control"
		} else if len(conds) == 2 {
			// The first condition listed is the reference.
			num, den = conds[1], conds[0]
		} else {
			return nil, nil, fmt.Sprintf("de: skipped, %d conditions and no -contrast", len(conds)), nil
		}
		n := map[string]int{}
		for _, r := range sh.Rows {
			n[r.Condition]++
		}
		if n[num] < 2 || n[den] < 2 {
			return nil, nil, fmt.Sprintf("de: skipped, %s has %d and %s %d samples; at least 2 each are needed", num, n[num], den, n[den]), nil
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
	res, rocs, err := deRun(a)
	if err != nil && strings.Contains(err.Error(), "poscounts") {
		// Small studies can have a zero in every miRNA row; DESeq2's
		// answer is the poscounts size factors.
		a.sfType = "poscounts"
		res, rocs, err = deRun(a)
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("de: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(c.out, "de.tsv"), func(w *bufio.Writer) error { return diffexp.WriteResults(w, res) }); err != nil {
		return nil, nil, "", err
	}
	if err := atomicfile.WriteFile(a.roc, func(w *bufio.Writer) error { return diffexp.WriteROC(w, rocs) }); err != nil {
		return nil, nil, "", err
	}
	parts := strings.Split(contrast, ",")
	return &studyResult{res: res, contrast: parts[1] + " vs " + parts[2]}, rocs,
		fmt.Sprintf("de: %s vs %s (%s, %s test)", parts[1], parts[2], a.method, a.test), nil
}
