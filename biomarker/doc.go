// Package biomarker builds multi-miRNA signatures from count matrices:
// elastic-net logistic regression with glmnet's semantics (Fit), honest
// performance estimates by nested cross-validation in which every step
// that sees the data (size factors, variance-stabilising transformation,
// feature selection, λ) is refit on each training fold only (BuildPanel), and
// a locked model that scores new samples exactly as the training samples
// were scored (Model.Predict).
//
// Fit follows Friedman, Hastie and Tibshirani (2010), "Regularization paths
// for generalized linear models via coordinate descent", J. Stat. Softw.
// 33(1), and the documented behaviour of the R package glmnet 4.1-6
// (standardize = TRUE, intercept, λ sequence, path stopping rules,
// glmnet.control defaults). Its coefficients are checked against glmnet
// 4.1-6 on real and simulated data (testdata/biomarker).
//
// Nested cross-validation (Varma and Simon 2006, BMC Bioinformatics 7:91):
//
//	for each repeat r and outer fold k:
//	    training samples T, test samples S
//	    size factors and vst (DESeq2, blind = FALSE) fitted on T only
//	    S transformed with T's geometric means and dispersion trend
//	    features = the N most variable vst rows of T
//	    λ = argmin inner K-fold CV deviance on T (cv.glmnet's lambda.min)
//	    AUC of the fold = AUC of the model's scores on S
//	reported AUC = mean of the R·K fold AUCs
package biomarker

import "errors"

// Sentinel errors of package biomarker; wrapped errors match them with
// errors.Is.
var (
	ErrShape       = errors.New("biomarker: matrix shape mismatch")
	ErrOption      = errors.New("biomarker: invalid option")
	ErrOneClass    = errors.New("biomarker: the outcome has only one class")
	ErrSamples     = errors.New("biomarker: unusable samples")
	ErrModel       = errors.New("biomarker: invalid model")
	ErrFeature     = errors.New("biomarker: feature missing")
	ErrConvergence = errors.New("biomarker: coordinate descent did not converge")
)
