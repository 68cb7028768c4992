#!/usr/bin/env Rscript
# ComBat-seq goldens for exomir's diffexp tests (exomir's own script; sva 3.46.0 public API
# only, Debian r-bioc-sva, with edgeR 3.40.2).
#
#   Rscript make_combatseq_goldens.R DIR OUT GROUP
#
# Reads DIR/counts.tsv[.gz] and DIR/coldata.tsv (columns sample, condition, batch) and writes
# DIR/OUT: ComBat_seq(counts, batch = batch, group = condition) when GROUP is "condition",
# ComBat_seq(counts, batch = batch) when GROUP is "none" (shrink = FALSE, the default).
# Same shape as the counts (mirna, then the samples), integer counts.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]; out <- args[[2]]; grp <- args[[3]]
suppressPackageStartupMessages(library(sva))
cp <- file.path(dir, "counts.tsv")
if (!file.exists(cp)) cp <- gzfile(paste0(cp, ".gz"))
cts <- as.matrix(read.delim(cp, row.names = 1, check.names = FALSE))
cd <- read.delim(file.path(dir, "coldata.tsv"), stringsAsFactors = FALSE, check.names = FALSE)
rownames(cd) <- cd$sample
cd <- cd[colnames(cts), , drop = FALSE]
group <- if (grp == "none") NULL else cd[[grp]]
adj <- invisible(ComBat_seq(cts, batch = cd$batch, group = group))
res <- data.frame(mirna = rownames(cts), adj, check.names = FALSE)
write.table(res, file.path(dir, out), sep = "\t", quote = FALSE, row.names = FALSE)
cat(dir, out, ": cells changed", sum(adj != cts), "of", length(cts), "\n")
