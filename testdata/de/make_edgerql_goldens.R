#!/usr/bin/env Rscript
# edgeR quasi-likelihood goldens for exomir's diffexp tests (exomir's own script; edgeR
# 3.40.2 public API only, robust = FALSE, the edgeR 3.x QL method).
#
#   Rscript make_edgerql_goldens.R DIR DESIGN NUM DEN
#
# Reads DIR/counts.tsv[.gz] and DIR/coldata.tsv; factor levels sorted, DEN the reference:
#   y <- DGEList(counts, group = condition); y <- calcNormFactors(y)
#   design <- model.matrix(DESIGN, coldata); y <- estimateDisp(y, design)
#   fit <- glmQLFit(y, design); glmQLFTest(fit, coef = ncol(design))
# (the condition term comes last in DESIGN). Writes DIR/edger_ql.tsv:
#   id logFC logCPM F PValue FDR trended.dispersion var.post df.prior df.total
# 17 significant digits, NA as "NA", input row order.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]; form <- as.formula(args[[2]]); num <- args[[3]]; den <- args[[4]]
suppressPackageStartupMessages(library(edgeR))
cp <- file.path(dir, "counts.tsv")
if (!file.exists(cp)) cp <- gzfile(paste0(cp, ".gz"))
cts <- as.matrix(read.delim(cp, row.names = 1, check.names = FALSE))
cd <- read.delim(file.path(dir, "coldata.tsv"), stringsAsFactors = FALSE, check.names = FALSE)
rownames(cd) <- cd$sample
cd <- cd[colnames(cts), , drop = FALSE]
for (v in setdiff(colnames(cd), "sample")) cd[[v]] <- factor(cd[[v]], levels = sort(unique(cd[[v]])))
cd$condition <- relevel(cd$condition, ref = den)
stopifnot(num %in% levels(cd$condition))
y <- DGEList(counts = cts, group = cd$condition)
y <- calcNormFactors(y)
design <- model.matrix(form, cd)
y <- estimateDisp(y, design)
fit <- glmQLFit(y, design)
qlf <- glmQLFTest(fit, coef = ncol(design))
tab <- qlf$table
fmt <- function(x) { s <- sprintf("%.17g", x); s[is.na(x)] <- "NA"; s }
out <- data.frame(id = rownames(cts), logFC = fmt(tab$logFC), logCPM = fmt(tab$logCPM),
  F = fmt(tab$F), PValue = fmt(tab$PValue), FDR = fmt(p.adjust(tab$PValue, "BH")),
  trended.dispersion = fmt(y$trended.dispersion), var.post = fmt(fit$var.post),
  df.prior = fmt(rep_len(fit$df.prior, nrow(cts))), df.total = fmt(qlf$df.total),
  check.names = FALSE)
write.table(out, file.path(dir, "edger_ql.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
cat(dir, ": common.dispersion", y$common.dispersion, "df.prior", fit$df.prior[1],
    "FDR<0.05", sum(p.adjust(tab$PValue, "BH") < 0.05), "\n")
