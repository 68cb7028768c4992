suppressPackageStartupMessages(library(DESeq2))
cnt <- as.matrix(read.delim("counts.tsv", row.names=1, check.names=FALSE))
cd <- read.delim("coldata3.tsv", row.names=1)
cd <- cd[colnames(cnt), , drop=FALSE]
cd$condition <- factor(cd$condition)
# make one feature zero in both B and C (LFC set to 0 by DESeq2 for contrast C vs B)
cnt[5, cd$condition %in% c("B","C")] <- 0L
f17 <- function(x) { s <- sprintf("%.17g", as.numeric(x)); s[is.na(x)] <- "NA"; s }
wr <- function(res, path) {
  out <- data.frame(id=rownames(res), baseMean=f17(res$baseMean), log2FoldChange=f17(res$log2FoldChange),
    lfcSE=f17(res$lfcSE), stat=f17(res$stat), pvalue=f17(res$pvalue), padj=f17(res$padj))
  write.table(out, path, sep="\t", quote=FALSE, row.names=FALSE)
}
write.table(data.frame(mirna=rownames(cnt), cnt, check.names=FALSE), "counts3.tsv", sep="\t", quote=FALSE, row.names=FALSE)
dds <- DESeq(DESeqDataSetFromMatrix(cnt, cd, ~condition), quiet=TRUE)
wr(results(dds, contrast=c("condition","C","B")), "deseq2_CvsB.tsv")
sf <- data.frame(sample=colnames(dds), sizeFactor=f17(sizeFactors(dds)))
write.table(sf, "deseq2_CvsB.tsv.sizefactors.tsv", sep="\t", quote=FALSE, row.names=FALSE)
write.table(sf, "deseq2_lrt.tsv.sizefactors.tsv", sep="\t", quote=FALSE, row.names=FALSE)
ddl <- DESeq(DESeqDataSetFromMatrix(cnt, cd, ~condition), test="LRT", reduced=~1, quiet=TRUE)
wr(results(ddl), "deseq2_lrt.tsv")
cat(resultsNames(ddl), "\n")
