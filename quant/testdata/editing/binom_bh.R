# Golden values for quant's editing test (TestBinomBHAgainstR): one-sided
# binomial test P(X >= k), X ~ Binomial(n, p), and BH adjustment across the
# rows, as R computes them. Run: Rscript binom_bh.R > binom_bh.tsv
k <- c(0, 1, 3, 5, 10, 50, 100, 2, 7, 260, 0, 12)
n <- c(50, 50, 60, 80, 100, 500, 1000, 400, 55, 500, 1000, 3000)
p <- c(0.001, 0.001, 0.002, 0.01, 0.003, 0.05, 0.0004, 0.002, 0.02, 0.3, 0.001, 0.0025)
pv <- mapply(function(k, n, p) binom.test(k, n, p, alternative = "greater")$p.value, k, n, p)
out <- data.frame(k = k, n = n, p = p, pvalue = sprintf("%.17g", pv), padj = sprintf("%.17g", p.adjust(pv, "BH")))
write.table(out, sep = "\t", quote = FALSE, row.names = FALSE)
