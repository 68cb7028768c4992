set.seed(17)
n <- 500; k <- 5
mu <- exp(rnorm(n, log(200), 1.5)); mu <- pmax(mu, 1)
disp <- 0.01 * (mu/50)^0.6 * exp(rnorm(n, 0, 0.3))
sf <- runif(2*k, 0.7, 1.4)
cnt <- t(sapply(seq_len(n), function(i) rnbinom(2*k, mu=mu[i]*sf, size=1/disp[i])))
de <- sample(n, 40); fc <- ifelse(seq_along(de) %% 2 == 0, 3, 1/3)
for (q in seq_along(de)) { i <- de[q]; cnt[i, (k+1):(2*k)] <- rnbinom(k, mu=mu[i]*fc[q]*sf[(k+1):(2*k)], size=1/disp[i]) }
colnames(cnt) <- c(paste0("control_", 1:k), paste0("tumor_", 1:k))
rownames(cnt) <- sprintf("mir%04d", 1:n)
write.table(data.frame(mirna=rownames(cnt), cnt, check.names=FALSE), "counts.tsv", sep="\t", quote=FALSE, row.names=FALSE)
write.table(data.frame(sample=colnames(cnt), condition=rep(c("control","tumor"), each=k)), "coldata.tsv", sep="\t", quote=FALSE, row.names=FALSE)
