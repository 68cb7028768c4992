# Golden output of isomiR-level DE (diffexp.IsomirDE, as the isomiRs package's isoDE):
# DESeq2 on the demo study's variant-type matrix (counts.tsv: miRNA|type rows with >= 10
# reads, from exomir run on testdata/demo, isomir_counts.tsv summed per miRNA and variant
# type) with the size factors of the miRNA matrix (mirna_counts.tsv, ratio method).
# Run from this folder: Rscript make.R   (DESeq2 from Debian's r-bioc-deseq2)
suppressPackageStartupMessages(library(DESeq2))
cts <- as.matrix(read.delim("counts.tsv", row.names = 1, check.names = FALSE))
mir <- as.matrix(read.delim("mirna_counts.tsv", row.names = 1, check.names = FALSE))
cd <- read.delim("coldata.tsv", row.names = 1)
cd$condition <- factor(cd$condition, levels = c("control", "tumor"))
sf <- estimateSizeFactorsForMatrix(mir)
dds <- DESeqDataSetFromMatrix(cts, cd[colnames(cts), , drop = FALSE], ~ condition)
sizeFactors(dds) <- sf[colnames(cts)]
dds <- DESeq(dds, quiet = TRUE)
res <- results(dds, contrast = c("condition", "tumor", "control"))
out <- data.frame(mirna = rownames(res), baseMean = res$baseMean, log2FoldChange = res$log2FoldChange,
                  lfcSE = res$lfcSE, stat = res$stat, pvalue = res$pvalue, padj = res$padj)
write.table(out, "deseq2.tsv", sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")
writeLines(c(paste("DESeq2", packageVersion("DESeq2")), paste("sizeFactors", paste(signif(sf, 10), collapse = " "))), "info.txt")
