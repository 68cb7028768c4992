# Golden for diffexp.SpikeinSizeFactors: DESeq2's estimateSizeFactors with
# controlGenes = the spike-in rows. Run from this folder:
#   Rscript make_golden.R
suppressPackageStartupMessages(library(DESeq2))
set.seed(20261208)
m <- 6
samples <- paste0("s", 1:m)
depth <- c(0.5, 1, 2, 1.3, 0.8, 3)      # library depth
spikeload <- c(1, 1.4, 0.7, 2.2, 1, 0.9) # how much spike-in each library took up
mu <- rlnorm(300, 5, 1.5)
mirna <- matrix(rnbinom(300 * m, mu = outer(mu, depth), size = 10), 300, m,
                dimnames = list(sprintf("mir-%03d", 1:300), samples))
smu <- 2^(seq(3, 12, length.out = 10))
spike <- matrix(rnbinom(10 * m, mu = outer(smu, spikeload), size = 50), 10, m,
                dimnames = list(sprintf("UniSP%d", 100:109), samples))
spike[1, 3] <- 0 # a spike-in with a zero: left out of the geometric means
all <- rbind(mirna, spike)
cd <- data.frame(condition = factor(rep(c("a", "b"), each = 3)), row.names = samples)
dds <- DESeqDataSetFromMatrix(all, cd, ~ condition)
dds <- estimateSizeFactors(dds, controlGenes = nrow(mirna) + seq_len(nrow(spike)))
w <- function(x, f, first) {
  write.table(cbind(setNames(data.frame(rownames(x)), first), x), f, sep = "\t", quote = FALSE, row.names = FALSE)
}
w(mirna, "counts.tsv", "mirna")
w(spike, "spikein_counts.tsv", "spikein")
write.table(data.frame(sample = samples, condition = cd$condition), "coldata.tsv", sep = "\t", quote = FALSE, row.names = FALSE)
write.table(data.frame(sample = samples, sizeFactor = sprintf("%.15g", sizeFactors(dds))),
            "sizefactors_deseq2.tsv", sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("DESeq2 %s\n", packageVersion("DESeq2")), file = "VERSION")
# DE of the miRNA counts with the spike-in size factors (exomir de
# -sf-type spikein): DESeq2 defaults, condition b vs a.
dds2 <- DESeqDataSetFromMatrix(mirna, cd, ~ condition)
sizeFactors(dds2) <- sizeFactors(dds)
dds2 <- DESeq(dds2, quiet = TRUE)
res <- results(dds2, contrast = c("condition", "b", "a"))
out <- data.frame(mirna = rownames(res), baseMean = res$baseMean, log2FoldChange = res$log2FoldChange,
                  pvalue = res$pvalue)
write.table(format(out, digits = 15), "de_deseq2.tsv", sep = "\t", quote = FALSE, row.names = FALSE)
