package main

import (
	"fmt"
	"io"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/study"
)

// errStrict marks a run stopped by -strict because of warnings.
var errStrict = study.ErrStrict

// printWarnings writes one "warning: SAMPLE: CODE: message" line per
// warning. It is not progress: -quiet does not silence it.
func printWarnings(w io.Writer, ws []quant.Warning) {
	for _, x := range ws {
		fmt.Fprintln(w, "warning: "+x.String())
	}
}

// strictCheck returns an error when strict is set and there are warnings:
// the caller then writes no output.
func strictCheck(strict bool, ws []quant.Warning) error {
	if !strict || len(ws) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d warning(s) (%s); no outputs written", errStrict, len(ws), quant.WarningCodes(ws))
}

// coldataWarnings runs the study-level checks on a coldata table: the
// contrast variable plays the condition, the other columns are
// covariates.
func coldataWarnings(cd *diffexp.ColData, variable string) []quant.Warning {
	cond := cd.Column(variable)
	if cond == nil {
		return nil
	}
	samples := make([]quant.StudySample, len(cd.Samples))
	for i, s := range cd.Samples {
		samples[i] = quant.StudySample{Name: s, Condition: cond[i]}
	}
	var covs []quant.Covariate
	for k, n := range cd.Names {
		if n != variable {
			covs = append(covs, quant.Covariate{Name: n, Values: cd.Columns[k]})
		}
	}
	return quant.CheckStudy(samples, covs)
}
