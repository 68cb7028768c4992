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
#
#   Rscript make_combatseq_goldens.R simulate DIR SEED
#
# writes DIR/counts.tsv and DIR/coldata.tsv: 1,000 features x 18 samples in 3 batches of 6
# (control/tumor 3/3, 2/4, 4/2), NB counts with log-mean ~ N(log 100, 1.5), dispersion
# (0.05 + 1/mu) * exp(N(0, 0.3)) times a batch factor (1, 2, 1.5), a per-feature batch
# log2 effect ~ N(0, 0.7) for batches B and C, and 10% of features DE at log2FC +-1.5.
args <- commandArgs(trailingOnly = TRUE)
if (args[[1]] == "simulate") {
  dir <- args[[2]]; set.seed(as.integer(args[[3]]))
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  n <- 1000
  batch <- rep(c("A", "B", "C"), each = 6)
  cond <- c(rep(c("control", "tumor"), each = 3), rep("control", 2), rep("tumor", 4),
            rep("control", 4), rep("tumor", 2))
  mu <- exp(rnorm(n, log(100), 1.5))
  disp <- (0.05 + 1 / mu) * exp(rnorm(n, 0, 0.3))
  lfc <- rep(0, n); de <- sample.int(n, n / 10); lfc[de] <- sample(c(-1.5, 1.5), n / 10, TRUE)
  beff <- cbind(A = 0, B = rnorm(n, 0, 0.7), C = rnorm(n, 0, 0.7))
  dfac <- c(A = 1, B = 2, C = 1.5)
  cts <- sapply(seq_along(batch), function(j) {
    m <- mu * 2^(beff[, batch[j]] + ifelse(cond[j] == "tumor", lfc, 0))
    rnbinom(n, mu = m, size = 1 / (disp * dfac[batch[j]]))
  })
  colnames(cts) <- paste0(batch, "_", cond, "_", ave(seq_along(batch), batch, cond, FUN = seq_along))
  rownames(cts) <- sprintf("mir%04d", seq_len(n))
  write.table(data.frame(mirna = rownames(cts), cts, check.names = FALSE), file.path(dir, "counts.tsv"),
              sep = "\t", quote = FALSE, row.names = FALSE)
  write.table(data.frame(sample = colnames(cts), condition = cond, batch = batch),
              file.path(dir, "coldata.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
  quit(save = "no")
}
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
