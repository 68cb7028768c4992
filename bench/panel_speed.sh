#!/bin/sh
# Speed of `exomir panel` (nested CV, 5 folds × 10 repeats, 200 candidate
# features, glmnet λ path with inner 5-fold CV) on a simulated 2,600 × 200
# count matrix (100 control / 100 tumor, 10% of features changed 4×), and a
# check that the outputs do not depend on the thread count.
#
# usage: sh bench/panel_speed.sh [runs=3]        (from the repository root)
#   env: EXOMIR=path/to/exomir (default: go build ./examples/exomir)
#        PEERS=dir of the peer scripts (default ../shared/peers next to the repository)
#        WORK=tmpdir (kept if given)
#        SIGNAL="10 4" fraction (%) of changed features and fold change
#
# Prints the load average first: on a shared machine wall time swings with
# the load, so user+sys CPU time is shown too.
set -eu
. "$(dirname "$0")/lib.sh"
RUNS=${1:-3}
bench_peer_setup
set -- ${SIGNAL:-10 4}
FRAC=$(awk -v f="$1" 'BEGIN {print f/100}'); FOLD=$2
d=$W/sim2600x200
Rscript "$P/simulate_counts.R" "$d" 2600 100 42 "$FRAC" "$FOLD" >/dev/null
echo "load average before: $(bench_load)  cores: $(nproc)" >&2
printf 'matrix\tthreads\twall_median_s\tcpu_median_s\twall_runs_s\tcv_auc\n'
for th in 0 1; do
  walls=""; cpus=""
  for i in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$W/time.txt" "$EXOMIR" panel -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" \
      -contrast condition,tumor,control -cv 5 -repeats 10 -seed 1 -threads "$th" -out "$d/panel_t$th" >/dev/null 2>"$W/stderr.txt"
    t1=$(date +%s%N)
    walls="$walls $(awk -v w="$(( t1 - t0 ))" 'BEGIN {printf "%.2f", w/1e9}')"
    cpus="$cpus $(awk '{printf "%.2f", $1+$2}' "$W/time.txt")"
  done
  wm=$(echo "$walls" | tr ' ' '\n' | grep . | median)
  cm=$(echo "$cpus" | tr ' ' '\n' | grep . | median)
  auc=$(awk 'NR==2 {print $1" ["$2", "$3"]"}' "$d/panel_t$th/cv_auc.tsv")
  printf '2600x200\t%s\t%s\t%s\t%s\t%s\n' "$th" "$wm" "$cm" "$(echo $walls | tr ' ' ',')" "$auc"
done
for f in coefficients.tsv cv_auc.tsv stability.tsv roc.tsv oof_scores.tsv model.json; do
  cmp -s "$d/panel_t0/$f" "$d/panel_t1/$f" || { echo "DIFFERENT across thread counts: $f" >&2; exit 1; }
done
echo "outputs identical with -threads 0 (all CPUs) and 1" >&2
echo "load average after: $(bench_load)" >&2
