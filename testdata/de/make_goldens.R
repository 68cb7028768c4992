#!/usr/bin/env Rscript
# Golden-file helper for exomir's diffexp tests (exomir's own script; it calls only the
# public APIs of DESeq2 1.38.3 / base R). Two modes:
#
#   Rscript make_goldens.R simulate OUTDIR KIND SEED
#       KIND = batch   : 500 features x 12 samples (6 control / 6 tumor), batch A/B crossed
#                        with condition; NB counts with a per-feature batch effect.
#            = sparse  : 400 features x 10 samples (5/5), low means so that every feature
#                        has at least one zero (median-of-ratios impossible -> poscounts).
#            = outlier : 500 features x 14 samples (7/7), plus injected single-sample outliers
#                        (truth.tsv column outlier_sample) to exercise Cook's replacement.
#       Writes counts.tsv, coldata.tsv, truth.tsv (id mu_control disp true_log2FC is_de ...).
#
#   Rscript make_goldens.R roc COUNTS COLDATA SIZEFACTORS OUT
#       pROC 1.18.0 (Debian r-cran-proc): for each feature, roc(controls, cases,
#       direction = "<") on counts / sizeFactor (tumor = cases) and
#       ci.auc(method = "delong"); writes OUT: id auc lower upper (AUC of
#       "higher in tumor", not re-oriented).
#
#   Rscript make_goldens.R deseq COUNTS COLDATA OUT DESIGN TEST REDUCED SFTYPE
#       DESeqDataSetFromMatrix(design = DESIGN); DESeq(test = TEST, reduced = REDUCED,
#       sfType = SFTYPE); results(contrast = c("condition","tumor","control")).
#       Writes OUT, OUT.sizefactors.tsv, OUT.disp.tsv, OUT.dispfit.tsv in the same
#       format as ../shared/peers/deseq2.R (17 significant digits, NA as "NA").
args <- commandArgs(trailingOnly = TRUE)
fmt17 <- function(x) {
  if (is.logical(x)) return(ifelse(is.na(x), "NA", ifelse(x, "TRUE", "FALSE")))
  s <- sprintf("%.17g", as.numeric(x)); s[is.na(x)] <- "NA"; s
}
put <- function(df, path) {
  for (j in seq_along(df)) if (!is.character(df[[j]])) df[[j]] <- fmt17(df[[j]])
  write.table(df, path, sep = "\t", quote = FALSE, row.names = FALSE, col.names = TRUE)
}

if (args[[1]] == "simulate") {
  outdir <- args[[2]]; kind <- args[[3]]; seed <- as.integer(args[[4]])
  dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
  set.seed(seed)
  shape <- switch(kind,
    batch = list(n = 500, k = 6, logmu = log(200), sdmu = 1.5),
    sparse = list(n = 400, k = 5, logmu = log(3), sdmu = 1.0),
    outlier = list(n = 500, k = 7, logmu = log(200), sdmu = 1.5),
    stop("unknown kind ", kind))
  n <- shape$n; k <- shape$k
  mu <- pmax(0.5, exp(rnorm(n, shape$logmu, shape$sdmu)))
  disp <- (0.05 + 1 / mu) * exp(rnorm(n, 0, 0.3))
  n_de <- round(0.1 * n)
  de_idx <- sort(sample.int(n, n_de))
  lfc <- rep(0, n)
  lfc[de_idx] <- ifelse(seq_len(n_de) %% 2 == 1, 2, -2)
  samples <- c(sprintf("control_%d", seq_len(k)), sprintf("tumor_%d", seq_len(k)))
  cond <- rep(c("control", "tumor"), each = k)
  batch <- rep(rep(c("A", "B"), length.out = k), 2)
  batch_lfc <- if (kind == "batch") rnorm(n, 0, 1) else rep(0, n)
  sf <- runif(2 * k, 0.6, 1.5)
  ids <- sprintf("mir%04d", seq_len(n))
  m <- matrix(0L, n, 2 * k, dimnames = list(ids, samples))
  for (j in seq_len(2 * k)) {
    mj <- mu * sf[j] * 2^(lfc * (cond[j] == "tumor") + batch_lfc * (batch[j] == "B"))
    m[, j] <- rnbinom(n, mu = mj, size = 1 / disp)
  }
  if (kind == "sparse") {
    # make sure no feature is free of zeros (the reason poscounts exists)
    for (i in which(apply(m, 1, min) > 0)) m[i, sample.int(2 * k, 1)] <- 0L
  }
  outlier <- rep(NA_character_, n)
  if (kind == "outlier") {
    # one huge single-sample outlier in 15 non-DE features with decent counts
    cand <- setdiff(which(mu > 50), de_idx)
    pick <- sort(sample(cand, 15))
    for (i in pick) {
      j <- sample.int(2 * k, 1)
      m[i, j] <- as.integer(m[i, j] * 20L + 500L)
      outlier[i] <- samples[j]
    }
  }
  write.table(data.frame(mirna = ids, m, check.names = FALSE), file.path(outdir, "counts.tsv"),
              sep = "\t", quote = FALSE, row.names = FALSE)
  cd <- data.frame(sample = samples, condition = cond)
  if (kind == "batch") cd$batch <- batch
  write.table(cd, file.path(outdir, "coldata.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
  tr <- data.frame(id = ids, mu_control = sprintf("%.6g", mu), disp = sprintf("%.6g", disp),
                   true_log2FC = lfc, is_de = as.integer(lfc != 0))
  if (kind == "batch") tr$batch_log2FC <- sprintf("%.6g", batch_lfc)
  if (kind == "outlier") tr$outlier_sample <- ifelse(is.na(outlier), "NA", outlier)
  write.table(tr, file.path(outdir, "truth.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
  cat(sprintf("simulated %s: %d x %d, seed %d -> %s\n", kind, n, 2 * k, seed, outdir))
  quit(status = 0)
}

if (args[[1]] == "roc") {
  suppressPackageStartupMessages(library(pROC))
  cts <- as.matrix(read.delim(args[[2]], row.names = 1, check.names = FALSE))
  cd <- read.delim(args[[3]], stringsAsFactors = FALSE)
  sf <- read.delim(args[[4]], stringsAsFactors = FALSE)
  stopifnot(identical(sf$sample, colnames(cts)))
  cond <- cd$condition[match(colnames(cts), cd$sample)]
  nc <- sweep(cts, 2, sf$sizeFactor, "/")
  res <- t(apply(nc, 1, function(v) {
    r <- roc(controls = v[cond == "control"], cases = v[cond == "tumor"], direction = "<", quiet = TRUE)
    ci <- suppressWarnings(ci.auc(r, method = "delong"))
    c(ci[2], ci[1], ci[3])
  }))
  put(data.frame(id = rownames(nc), auc = res[, 1], lower = res[, 2], upper = res[, 3],
                 stringsAsFactors = FALSE), args[[5]])
  cat(sprintf("make_goldens.R roc: %d features, pROC %s\n", nrow(nc), as.character(packageVersion("pROC"))), file = stderr())
  quit(status = 0)
}

stopifnot(args[[1]] == "deseq", length(args) == 8)
counts_path <- args[[2]]; coldata_path <- args[[3]]; out_path <- args[[4]]
design <- as.formula(args[[5]]); test <- args[[6]]; reduced <- as.formula(args[[7]]); sftype <- args[[8]]
t0 <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(DESeq2))
t_load <- proc.time()[["elapsed"]]
cts <- as.matrix(read.delim(counts_path, row.names = 1, check.names = FALSE))
storage.mode(cts) <- "integer"
cd <- read.delim(coldata_path, check.names = FALSE, stringsAsFactors = FALSE)
rownames(cd) <- cd$sample
cd <- cd[colnames(cts), , drop = FALSE]
for (v in setdiff(colnames(cd), "sample")) cd[[v]] <- factor(cd[[v]])  # levels alphabetical, like R
cd$condition <- factor(cd$condition, levels = c("control", "tumor"))
dds <- DESeqDataSetFromMatrix(countData = cts, colData = cd, design = design)
if (test == "LRT") {
  dds <- DESeq(dds, test = "LRT", reduced = reduced, sfType = sftype, quiet = TRUE)
} else {
  dds <- DESeq(dds, test = "Wald", sfType = sftype, quiet = TRUE)
}
t_fit <- proc.time()[["elapsed"]]
res <- results(dds, contrast = c("condition", "tumor", "control"))
put(data.frame(id = rownames(res), baseMean = res$baseMean, log2FoldChange = res$log2FoldChange,
               lfcSE = res$lfcSE, stat = res$stat, pvalue = res$pvalue, padj = res$padj,
               stringsAsFactors = FALSE), out_path)
put(data.frame(sample = colnames(dds), sizeFactor = sizeFactors(dds), stringsAsFactors = FALSE),
    paste0(out_path, ".sizefactors.tsv"))
mc <- mcols(dds)
getcol <- function(name) if (name %in% colnames(mc)) mc[[name]] else rep(NA, nrow(dds))
mx <- if ("cooks" %in% assayNames(dds)) {
  apply(assays(dds)[["cooks"]], 1, function(v) if (all(is.na(v))) NA else max(v, na.rm = TRUE))
} else rep(NA, nrow(dds))
put(data.frame(id = rownames(dds), baseMean = getcol("baseMean"), dispGeneEst = getcol("dispGeneEst"),
               dispFit = getcol("dispFit"), dispMAP = getcol("dispMAP"), dispersion = getcol("dispersion"),
               dispOutlier = getcol("dispOutlier"), betaConv = getcol("betaConv"), maxCooks = mx,
               replace = if ("replace" %in% colnames(mc)) mc$replace else rep(NA, nrow(dds)),
               stringsAsFactors = FALSE), paste0(out_path, ".disp.tsv"))
dfun <- dispersionFunction(dds)
co <- attr(dfun, "coefficients")
kv <- list(DESeq2_version = as.character(packageVersion("DESeq2")), R_version = as.character(getRversion()),
  design = args[[5]], test = test, reduced = if (test == "LRT") args[[7]] else NA, sfType = sftype,
  fitType_used = if (is.null(attr(dfun, "fitType"))) NA else attr(dfun, "fitType"),
  asymptDisp = if (!is.null(co)) co[["asymptDisp"]] else NA,
  extraPois = if (!is.null(co)) co[["extraPois"]] else NA,
  dispPriorVar = if (is.null(attr(dfun, "dispPriorVar"))) NA else attr(dfun, "dispPriorVar"),
  varLogDispEsts = if (is.null(attr(dfun, "varLogDispEsts"))) NA else attr(dfun, "varLogDispEsts"),
  filterThreshold = if (is.null(metadata(res)$filterThreshold)) NA else unname(metadata(res)$filterThreshold),
  n_features = nrow(dds), n_samples = ncol(dds), n_padj_lt_0.1 = sum(res$padj < 0.1, na.rm = TRUE),
  n_pvalue_NA = sum(is.na(res$pvalue)), n_padj_NA = sum(is.na(res$padj)),
  n_replaced = if ("replace" %in% colnames(mc)) sum(mc$replace, na.rm = TRUE) else 0,
  seconds_load_DESeq2 = sprintf("%.3f", t_load - t0), seconds_DESeq = sprintf("%.3f", t_fit - t_load))
kvv <- vapply(kv, function(v) if (is.numeric(v)) fmt17(v) else as.character(v), "")
write.table(data.frame(key = names(kvv), value = kvv), paste0(out_path, ".dispfit.tsv"),
            sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("make_goldens.R deseq: %s %s test=%s sfType=%s: padj<0.1 %d, DESeq %.2fs\n", counts_path,
            args[[5]], test, sftype, kv$n_padj_lt_0.1, t_fit - t_load), file = stderr())
