#!/bin/sh
# Speed at cohort scale (issue 12 item 7): `exomir de` and `exomir transform
# -method vst` against DESeq2's DESeq() with fitType = "glmGamPoi" and plain
# DESeq() on simulated 2,600-miRNA count matrices of 200 and 1,000 samples,
# timed in one run on one machine.
#
# usage: sh bench/cohort_speed.sh [runs=5] [r_runs=3]   (from the repository root)
#   env: EXOMIR=path/to/exomir (default: go build ./examples/exomir)
#        PEERS=dir of the peer scripts simulate_counts.R and deseq2.R
#              (default: ../shared/peers next to the repository)
#        WORK=dir for the matrices and outputs (default: a temporary dir, removed)
#        SIZES="100 500" samples per group (default: 200 and 1,000 samples)
#
# Every command runs under /usr/bin/time -v: wall (s), CPU = user + sys (s)
# and peak RSS (MB) of the whole process; medians over `r_runs` (R) and, for
# exomir, over `runs` before and `runs` after the R runs of the matrix (so
# that a change of the machine's load during the long R runs weighs on
# both sides). DESeq2 rows also give seconds_DESeq from deseq2.R (reading
# the matrix, DESeqDataSetFromMatrix and DESeq(); R start-up, library
# loading, results() and writing excluded). The speed-up is
# DESeq2_glmGamPoi seconds_DESeq / exomir de whole-command wall.
# The machine's load average is printed before and after: the figures are
# only comparable within one run.
# Needs: R with DESeq2 and glmGamPoi (Debian r-bioc-deseq2, r-bioc-glmgampoi).
set -eu
. "$(dirname "$0")/lib.sh"
RUNS=${1:-5}
RRUNS=${2:-3}
bench_peer_setup
for f in simulate_counts.R deseq2.R; do
  [ -f "$P/$f" ] || { echo "cohort_speed.sh: $P/$f not found (set PEERS)" >&2; exit 2; }
done

# measure OUT CMD...: runs CMD under /usr/bin/time -v and prints
# "wall cpu rss_mb" of that run.
measure() {
  /usr/bin/time -v -o "$W/time.txt" "$@" >/dev/null 2>"$W/stderr.txt" || {
    cat "$W/stderr.txt" >&2; exit 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
    /User time/ { u = $2 } /System time/ { s = $2 }
    /Maximum resident set size/ { r = $2 }
    END { printf "%.3f %.3f %.1f\n", w, u + s, r / 1024 }' "$W/time.txt"
}
# col N: the Nth field of the collected lines, median
col() { awk -v k="$1" '{print $k}' | median; }

echo "load average before: $(bench_load)  cores: $(nproc)" >&2
printf 'matrix\ttool\truns\twall_s\tcpu_s\tpeak_rss_mb\tseconds_DESeq\n'
for k in ${SIZES:-100 500}; do
  name="2600x$((2 * k))"
  d=$W/$name
  Rscript "$P/simulate_counts.R" "$d" 2600 "$k" 42 0.1 4 >/dev/null
  : > "$W/de.txt"
  : > "$W/vst.txt"
  exomir_runs() {
    for i in $(seq "$RUNS"); do
      measure "$EXOMIR" de -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" \
        -contrast condition,tumor,control -out "$d/exomir_de.tsv" >> "$W/de.txt"
      measure "$EXOMIR" transform -method vst -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" \
        -out "$d/exomir_vst.tsv" >> "$W/vst.txt"
    done
  }
  exomir_runs
  for fit in glmGamPoi parametric; do
    : > "$W/runs.txt"
    : > "$W/fit.txt"
    for i in $(seq "$RRUNS"); do
      DESEQ2_FITTYPE=$fit measure Rscript "$P/deseq2.R" "$d/counts.tsv" "$d/coldata.tsv" "$d/deseq2_$fit.tsv" >> "$W/runs.txt"
      awk -F'\t' '$1=="seconds_DESeq" {print $2}' "$d/deseq2_$fit.tsv.dispfit.tsv" >> "$W/fit.txt"
    done
    used=$(awk -F'\t' '$1=="fitType_used" {print $2}' "$d/deseq2_$fit.tsv.dispfit.tsv")
    printf '%s\tDESeq2_%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$used" "$RRUNS" \
      "$(col 1 < "$W/runs.txt")" "$(col 2 < "$W/runs.txt")" "$(col 3 < "$W/runs.txt")" "$(median < "$W/fit.txt")"
    [ $fit = glmGamPoi ] && gp=$(median < "$W/fit.txt")
  done
  exomir_runs
  for tool in de vst; do
    printf '%s\texomir_%s\t%s\t%s\t%s\t%s\tNA\n' "$name" "$tool" "$((2 * RUNS))" \
      "$(col 1 < "$W/$tool.txt")" "$(col 2 < "$W/$tool.txt")" "$(col 3 < "$W/$tool.txt")"
  done
  de_wall=$(col 1 < "$W/de.txt")
  echo "$name: speed-up of exomir de (whole command, ${de_wall} s) over DESeq(fitType=\"glmGamPoi\") (${gp} s): $(echo "$gp $de_wall" | awk '{printf "%.1f", $1/$2}')x" >&2
done
echo "load average after: $(bench_load)" >&2
echo "target: exomir de >= 50x faster than DESeq(fitType=\"glmGamPoi\") on 2600x1000, peak RSS <= 1 GB" >&2
