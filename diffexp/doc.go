// Package diffexp implements differential expression analysis of count
// matrices: the DESeq2 method (Love, Huber & Anders 2014, Genome Biology
// 15:550) written from its published description and reference manual, and
// edgeR's TMM normalisation and exact test as an alternative.
//
// The DESeq2 pipeline, as implemented by DESeq:
//
//	size factors   s_j = median_i k_ij / (prod_j' k_ij')^(1/m)   (rows without zeros)
//	               or "poscounts" (geometric means over positive counts), or user given
//	gene-wise α    maximise the Cox–Reid adjusted NB profile likelihood over log α
//	trend          α_tr(μ) = a0 + a1/μ by an iterative gamma-family GLM (parametric);
//	               if that fails, a local (weighted log-log) regression fit
//	MAP α          log-normal prior centred on the trend, prior variance
//	               max(var(log α_gw − log α_tr) − ψ1((m−p)/2), 0.25)
//	GLM            NB log-link IRLS with ridge λ = 1e-6 on log2 coefficients
//	Wald           β/SE, SE from (XᵀWX + λ)⁻¹ (Fisher information)
//	LRT            deviance(reduced) − deviance(full) ~ χ²(p_full − p_reduced)
//	Cook's         D_ij = r_ij² / (τ p) · h_ij / (1 − h_ij)²
//	filtering      baseMean quantile threshold maximising rejections at alpha,
//	               then Benjamini–Hochberg
//
// Counts are held row-major (features × samples) as float64. All outputs are
// deterministic regardless of the worker count.
package diffexp
