#!/bin/sh
# Speed of `exomir de` against DESeq2's DESeq() call (and edgeR) on simulated
# 2,600 x 20 and 2,600 x 200 count matrices, measured in one run.
#
# usage: sh bench/de_speed.sh [runs=5]        (from the repository root)
#   env: EXOMIR=path/to/exomir (default: go build ./examples/exomir)
#        PEERS=/work/shared/peers  WORK=tmpdir (kept if given)
#
# DESeq2 side: ../shared/peers/deseq2.R, time = `seconds_DESeq` (the DESeq()
# call alone, library loading and I/O excluded), one run per matrix (it is
# slow and its spread is small next to the ratio). edgeR side: edger.R's
# seconds_norm_estimateDisp + seconds_exactTest. exomir side: wall time of
# the whole command (reading, fitting, writing), median of `runs`; its
# CPU time (user+sys, both cores) is shown as well because wall times on a
# shared machine swing with the load (printed to stderr).
set -eu
RUNS=${1:-5}
P=${PEERS:-/work/shared/peers}
if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; W=$WORK; else W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; fi
if [ -z "${EXOMIR:-}" ]; then
  EXOMIR=$W/exomir
  go build -o "$EXOMIR" ./examples/exomir
fi
# timed CMD...: prints "wall user+sys" seconds of one run
timed() {
  /usr/bin/time -f '%e %U %S' -o "$W/time.txt" "$@"
  awk '{printf "%.3f %.3f", $1, $2+$3}' "$W/time.txt"
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
kv() { awk -F'\t' -v k="$2" '$1==k {print $2}' "$1"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)" >&2
printf 'matrix\tDESeq2_DESeq_s\texomir_deseq2_median_s\tspeedup\texomir_deseq2_cpu_median_s\tedgeR_s\texomir_edger_median_s\tspeedup_edger\texomir_deseq2_runs_s\n'
for k in 10 100; do
  name="2600x$((2 * k))"
  d=$W/$name
  Rscript "$P/simulate_counts.R" "$d" 2600 "$k" 42 0.1 4 >/dev/null
  Rscript "$P/deseq2.R" "$d/counts.tsv" "$d/coldata.tsv" "$d/deseq2.tsv" 2>/dev/null
  Rscript "$P/edger.R" "$d/counts.tsv" "$d/coldata.tsv" "$d/edger.tsv" 2>/dev/null
  t_deseq=$(kv "$d/deseq2.tsv.dispfit.tsv" seconds_DESeq)
  t_edger=$(awk -F'\t' '$1=="seconds_norm_estimateDisp"||$1=="seconds_exactTest" {s+=$2} END {printf "%.3f", s}' "$d/edger.tsv.info.tsv")
  runs=""; cpus=""
  for i in $(seq "$RUNS"); do
    r=$(timed "$EXOMIR" de -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" -contrast condition,tumor,control -out "$d/exomir.tsv")
    runs="$runs ${r% *}"; cpus="$cpus ${r#* }"
  done
  med=$(echo "$runs" | tr ' ' '\n' | grep . | median)
  cmed=$(echo "$cpus" | tr ' ' '\n' | grep . | median)
  eruns=""
  for i in $(seq "$RUNS"); do
    r=$(timed "$EXOMIR" de -method edger -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" -contrast condition,tumor,control -out "$d/exomir_edger.tsv")
    eruns="$eruns ${r% *}"
  done
  emed=$(echo "$eruns" | tr ' ' '\n' | grep . | median)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$t_deseq" "$med" \
    "$(echo "$t_deseq $med" | awk '{printf "%.1f", $1/$2}')" "$cmed" "$t_edger" "$emed" \
    "$(echo "$t_edger $emed" | awk '{printf "%.1f", $1/$2}')" "$(echo $runs | tr ' ' ',')"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "target: speedup >= 100 on both matrices (DESeq2 1.38.3 DESeq() vs the whole exomir de command)" >&2
