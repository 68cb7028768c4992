#!/bin/sh
# Honesty of `exomir panel` with its default settings (200 features, 5 × 10
# nested CV, alpha 0.5) on null counts: 2,600 × 80 (40 vs 40, no changed
# feature) with the condition labels permuted at random PERMS times; prints
# each run's reported AUC (cv_auc.tsv, first row) and their mean (issue #12
# target: 0.5 ± 0.07).
#
# usage: sh bench/panel_null.sh [perms=20]      (from the repository root)
#   env: EXOMIR, PEERS, WORK as in bench/panel_speed.sh
set -eu
. "$(dirname "$0")/lib.sh"
PERMS=${1:-20}
bench_peer_setup
d=$W/null2600x80
Rscript "$P/simulate_counts.R" "$d" 2600 40 7 0 1 >/dev/null
# permuted coldata files (R's sample(), seed 2026)
Rscript -e 'a <- commandArgs(TRUE); cd <- read.delim(a[1], stringsAsFactors = FALSE); set.seed(2026)
  for (k in seq_len(as.integer(a[2]))) { p <- cd; p$condition <- sample(cd$condition)
    write.table(p, sprintf("%s/perm%02d.tsv", a[3], k), sep = "\t", quote = FALSE, row.names = FALSE) }' \
  "$d/coldata.tsv" "$PERMS" "$d"
printf 'perm\tauc\tlower\tupper\n'
for i in $(seq 1 "$PERMS"); do
  k=$(printf %02d "$i")
  "$EXOMIR" panel -counts "$d/counts.tsv" -coldata "$d/perm$k.tsv" -contrast condition,tumor,control -seed "$i" -out "$d/out$k" >/dev/null 2>"$d/err$k" ||
    { echo "panel failed on permutation $k:" >&2; cat "$d/err$k" >&2; exit 1; }
  awk -v k="$k" 'NR==2 {print k"\t"$1"\t"$2"\t"$3}' "$d/out$k/cv_auc.tsv"
done | tee "$W/null_aucs.tsv"
awk -F'\t' '{s+=$2; n++} END {printf "mean\t%.4f\t(n = %d)\n", s/n, n}' "$W/null_aucs.tsv"
