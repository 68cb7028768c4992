#!/usr/bin/env Rscript
# Golden files for exomir's diffexp transforms (exomir's own script; it calls only the
# public API of DESeq2 1.38.3: DESeqDataSetFromMatrix, estimateSizeFactors, DESeq,
# results, lfcShrink, varianceStabilizingTransformation, rlog, dispersionFunction).
#
#   Rscript make_transform_goldens.R DIR DESIGN EVERY NUM DEN [SETS]
#
# reads DIR/counts.tsv(.gz) and DIR/coldata.tsv (every non-sample column a factor, levels
# in sorted order); writes into DIR (gzip -n -9 by the caller):
#   vst_<blind|design>_<parametric|local|mean>.tsv   varianceStabilizingTransformation
#   rlog_<blind|design>.tsv                          rlog
#     rows: every EVERY-th feature (1, 1+EVERY, ...) of the input, all samples, values
#     with 10 significant digits (the transforms themselves use every feature);
#     "design" = blind = FALSE on a fresh object (size factors only), so the trend is
#     estimated with DESIGN.
#   vst_<blind|design>_local.grid.tsv   xg and dispersionFunction(xg) on DESeq2's 999-point
#                                       integration grid (to check the integration alone)
#   lfcshrink_normal.tsv   DESeq(design = DESIGN) then lfcShrink(type = "normal",
#                          contrast = c("condition", NUM, DEN)): all rows, DESeq2's columns,
#                          10 significant digits
#   lfcshrink_normal_coef.tsv   the same with lfcShrink(coef = <last resultsNames>) (standard
#                          model matrix), made with SETS "shrinkcoef"
#   transform_info.tsv     key value: fitType used, trend coefficients, betaPriorVar values
#   vst_<blind|design>_local.disp.tsv   made with SETS "trend": what vst(fitType = "local")
#                          fits its trend to, every feature: baseMean, dispGeneEst,
#                          dispGeneIter (estimateDispersionsGeneEst) and dispFit
#                          (estimateDispersionsFit), 17 significant digits
# SETS (default "vst,rlog,shrink") picks what to make.
suppressPackageStartupMessages(library(DESeq2))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]; design <- as.formula(args[[2]]); every <- as.integer(args[[3]])
num <- args[[4]]; den <- args[[5]]
sets <- if (length(args) >= 6) strsplit(args[[6]], ",")[[1]] else c("vst", "rlog", "shrink")
cp <- file.path(dir, "counts.tsv")
if (!file.exists(cp)) cp <- paste0(cp, ".gz")
cts <- as.matrix(read.delim(cp, row.names = 1, check.names = FALSE))
cd <- read.delim(file.path(dir, "coldata.tsv"), check.names = FALSE, stringsAsFactors = FALSE)
rownames(cd) <- cd$sample
cd <- cd[colnames(cts), , drop = FALSE]
for (v in setdiff(colnames(cd), "sample")) cd[[v]] <- factor(cd[[v]], levels = sort(unique(cd[[v]])))
g10 <- function(x) { s <- sprintf("%.10g", x); s[is.na(x)] <- "NA"; s }
g17 <- function(x) { s <- sprintf("%.17g", x); s[is.na(x)] <- "NA"; s }
keep <- seq(1, nrow(cts), by = every)
info <- list()
putMat <- function(m, name) {
  m <- m[keep, , drop = FALSE]
  df <- data.frame(mirna = rownames(m), check.names = FALSE)
  for (j in seq_len(ncol(m))) df[[colnames(m)[j]]] <- g10(m[, j])
  write.table(df, file.path(dir, name), sep = "\t", quote = FALSE, row.names = FALSE)
}
fresh <- function() {
  dds <- DESeqDataSetFromMatrix(countData = cts, colData = cd, design = design)
  estimateSizeFactors(dds)
}
xgrid <- function(dds) {
  nc <- counts(dds, normalized = TRUE)
  sinh(seq(asinh(0), asinh(max(nc)), length.out = 1000))[-1]
}
if ("vst" %in% sets) {
  for (blind in c(TRUE, FALSE)) for (ft in c("parametric", "local", "mean")) {
    tag <- paste0(if (blind) "blind" else "design", "_", ft)
    dds <- fresh()
    # what vst does inside, to record the trend it uses
    d2 <- dds
    if (blind) design(d2) <- ~1
    d2 <- estimateDispersionsGeneEst(d2, quiet = TRUE)
    d2 <- estimateDispersionsFit(d2, fitType = ft, quiet = TRUE)
    f <- dispersionFunction(d2)
    info[[paste0("vst_", tag, "_fitType")]] <- attr(f, "fitType")
    if (attr(f, "fitType") == "parametric") {
      info[[paste0("vst_", tag, "_asymptDisp")]] <- g17(attr(f, "coefficients")[["asymptDisp"]])
      info[[paste0("vst_", tag, "_extraPois")]] <- g17(attr(f, "coefficients")[["extraPois"]])
    }
    if (attr(f, "fitType") == "mean") info[[paste0("vst_", tag, "_mean")]] <- g17(attr(f, "mean"))
    if (attr(f, "fitType") == "local") {
      xg <- xgrid(d2)
      write.table(data.frame(xg = g17(xg), disp = g17(f(xg))), file.path(dir, paste0("vst_", tag, ".grid.tsv")),
                  sep = "\t", quote = FALSE, row.names = FALSE)
    }
    t0 <- proc.time()[["elapsed"]]
    v <- assay(varianceStabilizingTransformation(dds, blind = blind, fitType = ft))
    info[[paste0("vst_", tag, "_seconds")]] <- sprintf("%.3f", proc.time()[["elapsed"]] - t0)
    putMat(v, paste0("vst_", tag, ".tsv"))
  }
}
if ("trend" %in% sets) {
  for (blind in c(TRUE, FALSE)) {
    tag <- paste0(if (blind) "blind" else "design", "_local")
    d2 <- fresh()
    if (blind) design(d2) <- ~1
    d2 <- estimateDispersionsGeneEst(d2, quiet = TRUE)
    d2 <- estimateDispersionsFit(d2, fitType = "local", quiet = TRUE)
    mc <- mcols(d2)
    df <- data.frame(mirna = rownames(d2), baseMean = g17(mc$baseMean), dispGeneEst = g17(mc$dispGeneEst),
                     dispGeneIter = g17(mc$dispGeneIter), dispFit = g17(mc$dispFit), check.names = FALSE)
    write.table(df, file.path(dir, paste0("vst_", tag, ".disp.tsv")), sep = "\t", quote = FALSE, row.names = FALSE)
  }
}
if ("rlog" %in% sets) {
  for (blind in c(TRUE, FALSE)) {
    tag <- if (blind) "blind" else "design"
    t0 <- proc.time()[["elapsed"]]
    r <- rlog(fresh(), blind = blind)
    info[[paste0("rlog_", tag, "_seconds")]] <- sprintf("%.3f", proc.time()[["elapsed"]] - t0)
    info[[paste0("rlog_", tag, "_betaPriorVar")]] <- g17(attr(r, "betaPriorVar"))
    putMat(assay(r), paste0("rlog_", tag, ".tsv"))
  }
}
if ("shrink" %in% sets) {
  dds <- DESeq(fresh(), quiet = TRUE)
  res <- results(dds, contrast = c("condition", num, den))
  t0 <- proc.time()[["elapsed"]]
  shr <- lfcShrink(dds, contrast = c("condition", num, den), res = res, type = "normal", quiet = TRUE)
  info[["shrink_seconds"]] <- sprintf("%.3f", proc.time()[["elapsed"]] - t0)
  bpv <- priorInfo(shr)$betaPriorVar
  for (k in names(bpv)) info[[paste0("shrink_betaPriorVar_", k)]] <- g17(bpv[[k]])
  info[["shrink_columns"]] <- paste(colnames(shr), collapse = ",")
  df <- data.frame(mirna = rownames(shr), check.names = FALSE)
  for (k in colnames(shr)) df[[k]] <- g10(shr[[k]])
  write.table(df, file.path(dir, "lfcshrink_normal.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
}
if ("shrinkcoef" %in% sets) {
  dds <- DESeq(fresh(), quiet = TRUE)
  coef <- tail(resultsNames(dds), 1)
  shr <- lfcShrink(dds, coef = coef, type = "normal", quiet = TRUE)
  info[["shrinkcoef_name"]] <- coef
  bpv <- priorInfo(shr)$betaPriorVar
  for (k in names(bpv)) info[[paste0("shrinkcoef_betaPriorVar_", k)]] <- g17(bpv[[k]])
  df <- data.frame(mirna = rownames(shr), check.names = FALSE)
  for (k in colnames(shr)) df[[k]] <- g10(shr[[k]])
  write.table(df, file.path(dir, "lfcshrink_normal_coef.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
}
ip <- file.path(dir, "transform_info.tsv")
old <- if (file.exists(ip)) read.delim(ip, stringsAsFactors = FALSE, colClasses = "character") else
  data.frame(key = character(), value = character())
old <- old[!(old$key %in% names(info)), , drop = FALSE]
new <- data.frame(key = names(info), value = unlist(info, use.names = FALSE))
write.table(rbind(old, new), ip, sep = "\t", quote = FALSE, row.names = FALSE)
