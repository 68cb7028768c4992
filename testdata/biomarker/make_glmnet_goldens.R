#!/usr/bin/env Rscript
# Golden files for exomir's biomarker.Fit (elastic-net logistic regression) against
# glmnet 4.1-6 (Debian r-cran-glmnet) and DESeq2 1.38.3 for the vst inputs. exomir's own
# script; it calls only public APIs: glmnet(), coef(), DESeq2's DESeqDataSetFromMatrix,
# estimateSizeFactors and varianceStabilizingTransformation.
#
#   Rscript testdata/biomarker/make_glmnet_goldens.R      # from the repo root, ~15 s
#
# For every case DIR under testdata/biomarker/ it writes
#   DIR/x.tsv         sample, y (0/1), then the features (17 significant digits)
#   DIR/info.tsv      key value: alpha, nobs, nvars
#   DIR/lambda.tsv    glmnet's own lambda sequence (lambda = NULL), one per line
#   DIR/path.tsv      coef() on that path: term, then one column per lambda
#   DIR/given.tsv     coef() of a fit with the user lambdas written in DIR/given_lambda.tsv
# All fits: family = "binomial", standardize = TRUE, intercept = TRUE, thresh = 1e-14,
# maxit = 1e7 (tight, so that the optimum itself is compared); other settings default.
suppressPackageStartupMessages({ library(glmnet); library(DESeq2) })
stopifnot(packageVersion("glmnet") == "4.1.6")
out <- "testdata/biomarker"
g17 <- function(x) sprintf("%.17g", x)

writeCase <- function(name, x, y, alpha, given) {
  d <- file.path(out, name)
  dir.create(d, showWarnings = FALSE)
  df <- data.frame(sample = rownames(x), y = y, check.names = FALSE)
  for (j in seq_len(ncol(x))) df[[colnames(x)[j]]] <- g17(x[, j])
  write.table(df, file.path(d, "x.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
  fit <- glmnet(x, y, family = "binomial", alpha = alpha, thresh = 1e-14, maxit = 1e7)
  writeLines(g17(fit$lambda), file.path(d, "lambda.tsv"))
  putCoef <- function(f, file) {
    cf <- as.matrix(coef(f))
    pf <- data.frame(term = rownames(cf), check.names = FALSE)
    for (k in seq_len(ncol(cf))) pf[[paste0("lambda=", g17(f$lambda[k]))]] <- g17(cf[, k])
    write.table(pf, file.path(d, file), sep = "\t", quote = FALSE, row.names = FALSE)
  }
  putCoef(fit, "path.tsv")
  if (is.null(given)) given <- fit$lambda[c(2, length(fit$lambda) %/% 2, length(fit$lambda))]
  writeLines(g17(given), file.path(d, "given_lambda.tsv"))
  putCoef(glmnet(x, y, family = "binomial", alpha = alpha, lambda = given, thresh = 1e-14, maxit = 1e7), "given.tsv")
  writeLines(c(paste("alpha", g17(alpha)), paste("nobs", nrow(x)), paste("nvars", ncol(x)),
               paste("path_length", length(fit$lambda))), file.path(d, "info.tsv"))
}

# real and simulated counts: vst(blind = FALSE, design ~ condition), the top-N features
# by row variance of the vst (ties: input order), outcome 1 for the numerator level
vstTop <- function(dir, num, top) {
  cts <- as.matrix(read.delim(gzfile(file.path(dir, "counts.tsv.gz")), row.names = 1, check.names = FALSE))
  cd <- read.delim(file.path(dir, "coldata.tsv"), stringsAsFactors = FALSE)
  rownames(cd) <- cd$sample
  cd <- cd[colnames(cts), , drop = FALSE]
  cd$condition <- factor(cd$condition)
  dds <- estimateSizeFactors(DESeqDataSetFromMatrix(cts, cd, ~ condition))
  v <- assay(varianceStabilizingTransformation(dds, blind = FALSE))
  o <- order(-apply(v, 1, var), seq_len(nrow(v)))[seq_len(top)]
  list(x = t(v[o, , drop = FALSE]), y = as.integer(cd$condition == num))
}
a <- vstTop("testdata/de/pd_amygdala", "ct", 40)
writeCase("pd_amygdala_vst", a$x, a$y, 0.5, NULL)
s <- vstTop("testdata/de/sim2600x20", "tumor", 200)
writeCase("sim2600x20_vst", s$x, s$y, 1, NULL)

set.seed(12)
simX <- function(n, p) {
  x <- matrix(rnorm(n * p, sd = rep(runif(p, 0.2, 3), each = n)) + rep(rnorm(p, 5, 2), each = n), n, p)
  dimnames(x) <- list(sprintf("s%02d", seq_len(n)), sprintf("f%02d", seq_len(p)))
  x
}
simY <- function(x, k) {
  z <- scale(x[, seq_len(k), drop = FALSE]) %*% rep(c(1.2, -0.8), length.out = k)
  as.integer(runif(nrow(x)) < plogis(z))
}
x <- simX(80, 30); y <- simY(x, 4)
writeCase("sim_gauss_a03", x, y, 0.3, NULL)
writeCase("sim_gauss_ridge", x, y, 0, NULL)
writeCase("sim_gauss_lasso", x, y, 1, c(0.2, 0.05, 0.01))
# a constant feature and an all-zero feature (both excluded by glmnet: coefficient 0)
x <- simX(50, 12); x[, 3] <- 3.25; x[, 7] <- 0; y <- simY(x, 2)
writeCase("sim_constant", x, y, 0.5, NULL)
# a perfectly separating feature: glmnet stops the path when 99.9% of the deviance is
# explained
x <- simX(40, 10); y <- rep(0:1, each = 20); x[, 4] <- ifelse(y == 1, 6, 4) + runif(40)
writeCase("sim_separating", x, y, 1, NULL)
# an all-zero sample (every feature 0 in one sample)
x <- simX(30, 8); x[5, ] <- 0; y <- simY(x, 3)
writeCase("sim_zero_sample", x, y, 0.7, NULL)
# files over 20 kB are gzipped (the tests open name or name.gz)
for (f in list.files(out, pattern = "\\.tsv$", recursive = TRUE, full.names = TRUE))
  if (file.size(f) > 20000) system2("gzip", c("-n", "-9", "-f", f))
