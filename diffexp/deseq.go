package diffexp

import (
	"fmt"
)

// Options control DESeq (and EdgeR where meaningful). The zero value means
// DESeq2's defaults.
type Options struct {
	// Design is the model formula, "~ condition" when empty; covariates
	// come first: "~ batch + condition".
	Design string
	// Contrast is {variable, numerator level, denominator level}, e.g.
	// {"condition", "tumor", "control"}. nil means the last design variable,
	// its last level against its reference (first level in sorted order,
	// like R factor levels).
	Contrast []string
	// Test is "wald" (default) or "lrt".
	Test string
	// Reduced is the reduced formula for the LRT, "~ 1" when empty.
	Reduced string
	// Alpha is the significance level used by independent filtering (0.1
	// when zero).
	Alpha float64
	// SizeFactorType is "ratio" (default) or "poscounts".
	SizeFactorType string
	// SizeFactors, when non-nil, are used as given (one per sample).
	SizeFactors []float64
	// IndependentFiltering: nil means true.
	IndependentFiltering *bool
	// CooksCutoff: nil means DESeq2's default F(0.99, p, m−p) quantile; a
	// negative value turns Cook's distance flagging off.
	CooksCutoff *float64
	// MinReplicatesForReplace is the number of replicates a sample's group
	// needs for its outlier counts to be replaced and the row refitted
	// (0 means 7, DESeq2's default; a negative value turns replacing off).
	MinReplicatesForReplace int
	// Workers is the number of goroutines fitting rows; 0 means GOMAXPROCS.
	// Results do not depend on it.
	Workers int
}

// Results are per-feature differential expression results in input row
// order. NaN stands for R's NA.
type Results struct {
	Features []string
	// DESeq2's results() columns.
	BaseMean, Log2FoldChange, LfcSE, Stat, PValue, PAdj []float64
	// SizeFactors are per sample (for EdgeR: TMM norm factors × library
	// size scaled to geometric mean 1, see EdgeR).
	SizeFactors []float64
	// Dispersion estimates: gene-wise, trend, MAP and final (final = MAP,
	// or gene-wise for dispersion outliers).
	DispGeneEst, DispFit, DispMAP, Dispersion []float64
	// DispOutlier marks genes whose gene-wise estimate was kept.
	DispOutlier []bool
	// MaxCooks is the largest Cook's distance of the row (NaN if not computed).
	MaxCooks []float64
	// BetaConv reports IRLS convergence of the row's GLM fit.
	BetaConv []bool
	// Replaced marks rows whose outlier counts were replaced and refitted.
	Replaced []bool
	// Method is "deseq2" or "edger".
	Method string
	// FitType is the dispersion trend actually used: "parametric" or "local".
	FitType string
	// AsymptDisp and ExtraPois are the parametric trend coefficients.
	AsymptDisp, ExtraPois float64
	// DispPriorVar is the prior variance of log dispersions used for MAP.
	DispPriorVar float64
	// FilterThreshold is the baseMean threshold of independent filtering
	// (NaN when not applied).
	FilterThreshold float64
	// Coefficients names the design matrix columns (R model.matrix style).
	Coefficients []string
}

func newResults(n int) *Results {
	nan := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = nan64
		}
		return v
	}
	return &Results{
		BaseMean: nan(), Log2FoldChange: nan(), LfcSE: nan(), Stat: nan(), PValue: nan(), PAdj: nan(),
		DispGeneEst: nan(), DispFit: nan(), DispMAP: nan(), Dispersion: nan(), MaxCooks: nan(),
		DispOutlier: make([]bool, n), BetaConv: make([]bool, n), Replaced: make([]bool, n),
		Method: "deseq2", FilterThreshold: nan64,
	}
}

// DESeq runs the DESeq2 pipeline on c with sample annotations cd (aligned to
// c's samples by name) and returns results for the contrast or test chosen
// in o.
func DESeq(c *Counts, cd *ColData, o Options) (*Results, error) {
	return nil, fmt.Errorf("diffexp: DESeq not implemented yet")
}
