#!/bin/sh
# Regenerates every golden file under testdata/de/ with the real tools
# (R 4.2.2, DESeq2 1.38.3, edgeR 3.40.2 from Debian bookworm; see README.md).
# usage: sh testdata/de/make_goldens.sh   (from the repository root)
set -eu
D=$(cd "$(dirname "$0")" && pwd)
P=${PEERS:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/peers}
cd "$D"
tidy() { rm -f "$1/edger.tsv.qlf.tsv"; }

# (a) 2,600 x 20 (10 control / 10 tumor), peers' simulator, seed 42, 10% DE at 4x
Rscript "$P/simulate_counts.R" sim2600x20 2600 10 42 0.1 4
Rscript "$P/deseq2.R" sim2600x20/counts.tsv sim2600x20/coldata.tsv sim2600x20/deseq2.tsv
Rscript "$P/edger.R" sim2600x20/counts.tsv sim2600x20/coldata.tsv sim2600x20/edger.tsv
tidy sim2600x20
# (d1) LRT ~ condition vs ~ 1 on the same matrix
Rscript make_goldens.R deseq sim2600x20/counts.tsv sim2600x20/coldata.tsv sim2600x20/deseq2_lrt.tsv "~ condition" LRT "~ 1" ratio

# (c) batch covariate, ~ batch + condition (Wald) and (d2) LRT ~ batch + condition vs ~ batch
Rscript make_goldens.R simulate sim_batch batch 7
Rscript make_goldens.R deseq sim_batch/counts.tsv sim_batch/coldata.tsv sim_batch/deseq2.tsv "~ batch + condition" Wald "~ 1" ratio
Rscript make_goldens.R deseq sim_batch/counts.tsv sim_batch/coldata.tsv sim_batch/deseq2_lrt.tsv "~ batch + condition" LRT "~ batch" ratio
Rscript make_goldens.R deseq sim_batch/counts.tsv sim_batch/coldata.tsv sim_batch/deseq2_lrt_cond.tsv "~ condition" LRT "~ 1" ratio

# (e) 7 vs 7 with injected outliers: Cook's replacement (DESeq2 minReplicatesForReplace = 7)
Rscript make_goldens.R simulate sim_outlier outlier 11
Rscript make_goldens.R deseq sim_outlier/counts.tsv sim_outlier/coldata.tsv sim_outlier/deseq2.tsv "~ condition" Wald "~ 1" ratio
Rscript "$P/edger.R" sim_outlier/counts.tsv sim_outlier/coldata.tsv sim_outlier/edger.tsv
tidy sim_outlier
# ROC AUC + DeLong CI by pROC on DESeq2-normalised counts
Rscript make_goldens.R roc sim_outlier/counts.tsv sim_outlier/coldata.tsv sim_outlier/deseq2.tsv.sizefactors.tsv sim_outlier/roc_proc.tsv

# (f) sparse: every feature has a zero -> sfType = "poscounts"
Rscript make_goldens.R simulate sim_sparse sparse 5
Rscript make_goldens.R deseq sim_sparse/counts.tsv sim_sparse/coldata.tsv sim_sparse/deseq2.tsv "~ condition" Wald "~ 1" poscounts
Rscript "$P/edger.R" sim_sparse/counts.tsv sim_sparse/coldata.tsv sim_sparse/edger.tsv
tidy sim_sparse

# size: LRT dispersions equal the Wald run's (same full design), so drop those copies;
# gzip the files over 20 kB (tests read them through compress/gzip)
rm -f sim2600x20/deseq2_lrt.tsv.disp.tsv sim_batch/deseq2_lrt.tsv.disp.tsv
for f in sim2600x20/*.tsv sim_batch/*.tsv sim_outlier/*.tsv sim_sparse/*.tsv; do
  if [ "$(wc -c <"$f")" -gt 20000 ]; then gzip -n -9 -f "$f"; fi
done
