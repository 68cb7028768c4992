// Package diffexp implements differential expression analysis of count
// matrices: the DESeq2 method (Love, Huber & Anders 2014, Genome Biology
// 15:550), written from its published description, the DESeq2 vignette and
// reference manual and checked against DESeq2 1.38.3 outputs, and edgeR's
// TMM normalisation, exact test (EdgeR) and quasi-likelihood F-test
// (EdgeRQL, edgeR 3.40) as alternatives; ComBatSeq removes batch effects
// from counts as sva's ComBat_seq.
//
// # DESeq2 pipeline (DESeq)
//
//	size factors   s_j = exp median_i (log k_ij − mean_j' log k_ij')   over rows without zeros
//	               ("ratio"); "poscounts": geometric means over positive counts
//	               (Σ log k / m), medians over positive counts, scaled to geometric mean 1;
//	               or user given
//	gene-wise α    maximise the Cox–Reid adjusted profile likelihood over log α
//	               ℓ(α) − ½ log det(XᵀWX), W = diag(μ/(1+αμ)), μ from the least-squares
//	               group means (pure group designs) or a GLM fit at the starting α;
//	               start: min(moments, rough linear-model estimate); safeguarded
//	               Newton's method on log α with analytic first and second
//	               derivatives (monotone ascent, bracketing, stop at a step < 1e-3);
//	               where the maximum is flat (|ℓ″| < 1) DESeq2's gradient line search
//	               with Armijo backtracking is replayed, and where the start's slope is
//	               small its first step is, since DESeq2 stops there when the rise is
//	               < 1e-6 (then, when that step needed no halving — one iteration in
//	               DESeq2's count, which includes halvings — a 20+20 point grid as
//	               DESeq2: the best of the fine grid, which omits the coarse best);
//	               the start is kept when
//	               the likelihood does not rise by 1e-6 relative; bounds [1e-8, max(10, m)];
//	               where 1/α ≥ 1000 y the lgamma/digamma/trigamma differences come from
//	               their series in 1/α (differences of huge lgammas would add noise
//	               of ~1e-6 to the likelihood near α = 1e-8)
//	trend          α_tr(μ) = a0 + a1/μ by iterated gamma-family identity-link GLMs on
//	               genes with α_gw ≥ 1e-6 (parametric); if that fails, the local fit:
//	               locfit's defaults as DESeq2 calls them — local quadratic regression
//	               of log α on log mean, weights mean × tricube over the nearest
//	               ⌊0.7n⌋ genes, fitted (value and slope) at the vertices of locfit's
//	               adaptive tree (halve a cell while wider than 0.8 × its vertices'
//	               smaller bandwidth), cubic Hermite in between; outside the range
//	               the end value and slope plus the curvature of locfit's parametric
//	               component (global weighted quadratic)
//	MAP α          the same objective plus a normal prior on log α centred on
//	               log α_tr with variance max(mad(log α_gw − log α_tr)² − ψ₁((m−p)/2), 0.25);
//	               genes with log α_gw > log α_tr + 2·mad are dispersion outliers and keep α_gw;
//	               same Newton method, started from α_gw with the gene-wise fit's derivatives
//	GLM            negative binomial, log link, IRLS with ridge λ = 1e-6 on log2
//	               coefficients, μ ≥ 0.5, stop at relative deviance change 1e-8
//	               (100 iterations); rows that fail are refitted by guarded Fisher scoring.
//	               Designs with as many distinct rows (cells) as coefficients are
//	               fitted cell by cell (1-D Newton on each cell's mean, ridge left out)
//	               unless a cell has no counts or a mean falls below 0.5
//	Wald           log2FC = cᵀβ/ln 2, SE from Σ = (XᵀWX+Λ)⁻¹XᵀWX(XᵀWX+Λ)⁻¹, normal p-value
//	LRT            deviance(reduced) − deviance(full) ~ χ²(p_full − p_reduced); log2FC
//	               and lfcSE are the full model's Wald values for the contrast
//	Cook's         D_ij = (k_ij − μ_ij)²/(μ_ij + α_r μ_ij²)/p · h_ij/(1 − h_ij)² with a
//	               robust method-of-moments α_r (trimmed within-cell variances);
//	               rows with max D over samples in cells of ≥ 3 above F₀.₉₉(p, m−p)
//	               get pvalue NA unless ≥ 3 counts exceed the outlying count; with
//	               ≥ 7 replicates in a cell, outlying counts are replaced by the
//	               20%-trimmed mean normalised count × s_j and the rows refitted
//	               (those samples then no longer flag rows)
//	filtering      50 baseMean quantiles from the fraction of zero rows to 0.95; BH
//	               at each; lowess (f = 1/5) of the rejection counts at alpha; the
//	               first quantile whose count exceeds max(fit) − rms(residuals)
//
// # Transforms and shrinkage (VST, RLog, LFCShrinkNormal)
//
//	trend          as above on design ~ 1 (blind, the default) or the given design,
//	               fitType parametric (local when it fails), local, or mean (the
//	               0.1%-trimmed mean of gene-wise α > 1e-7); for a local trend the
//	               gene-wise α are DESeq2's own, its line search replayed step for
//	               step (not the maxima; the local fit follows them gene by gene)
//	vst            parametric: log2((1 + a1 + 2a0q + 2√(a0q(1 + a1 + a0q)))/(4a0));
//	               mean: (2 asinh √(αq) − log α − log 4)/log 2; local: trapezoid rule
//	               of 1/√(α(x)x² + mean(1/s)·x) on the 999-point grid sinh(0..asinh(max q)),
//	               R's "fmm" cubic spline in asinh, scaled to log2 at the 95% and 99.9%
//	               quantiles of the row means (q = normalised count)
//	rlog           NB GLM per row with an intercept and one coefficient per sample,
//	               dispersion = trend, ridge 1/σ² on the sample coefficients (1e-6 on
//	               the intercept), σ² = (weighted 95% quantile of |log2(q+½) −
//	               log2(baseMean+½)| / z₀.₉₇₅)², weights 1/(1/baseMean + α_trend)
//	               (Hmisc wtd.quantile, normwt); IRLS to relative deviance change 1e-4
//	lfcShrink      DESeq, then the refit with a normal prior: per coefficient the
//	               same weighted quantile of its MLEs (|β| < 10), expanded model
//	               matrix for a contrast (a column per factor level; each factor's
//	               columns share the mean prior variance of its coefficients and
//	               their differences), IRLS from the intercept log baseMean;
//	               log2FoldChange and lfcSE replaced, stat/pvalue/padj unshrunken
//	locked vst     FitVST also returns a VSTModel (training log geometric means and
//	               the trend's VST); VSTModel.Apply sizes each new sample on its own
//	               (median ratio to the training geometric means, not rescaled) and
//	               transforms it with the training VST — the training counts come
//	               back exactly as FitVST transformed them
//
// Rows with all counts zero get baseMean 0 and NA elsewhere, as in DESeq2.
// When both contrast groups are all zero the Wald log2FC is 0, stat 0 and
// pvalue 1, as DESeq2 reports.
//
// Deviations from DESeq2, documented: with m − p ≤ 3 residual degrees of freedom the
// expected sampling variance of log dispersions is ψ₁((m−p)/2) rather than
// DESeq2's simulation; the GLM fallback is Fisher scoring rather than
// L-BFGS-B; dispersions are the maxima of the objective (Newton) except
// where DESeq2's line search would stop measurably short of them (see
// above), so they differ from DESeq2's by ~1e-4 on the log scale
// (golden_test.go logs the agreement per reference run) — except under a
// local trend of the transforms, where they are DESeq2's to ~1e-9; cell designs skip
// the 1e-6 ridge (coefficients move by ~λβ/Σw).
//
// Counts are held row-major (features × samples) as float64. Rows are fitted
// in parallel (Options.Workers, 0 = GOMAXPROCS); every row is computed by one
// goroutine from its own inputs, so results do not depend on the worker
// count.
package diffexp
