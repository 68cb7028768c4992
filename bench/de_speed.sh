#!/bin/sh
# Speed of `exomir de` against DESeq2's DESeq() call (and edgeR) on simulated
# 2,600 x 20 and 2,600 x 200 count matrices, measured in one run.
#
# usage: sh bench/de_speed.sh [runs=5]        (from the repository root)
#   env: EXOMIR=path/to/exomir (default: go build ./examples/exomir)
#        PEERS=dir of the peer scripts (default ../shared/peers next to the repository)
#        WORK=tmpdir (kept if given)
#
# DESeq2 side: ../shared/peers/deseq2.R, time = `seconds_DESeq` (the DESeq()
# call alone, library loading and I/O excluded), one run per matrix (it is
# slow and its spread is small next to the ratio). edgeR side: edger.R's
# seconds_norm_estimateDisp + seconds_exactTest. exomir side, medians of
# `runs`: the fit alone (`exomir de -timing`: the diffexp.DESeq call, like
# seconds_DESeq), and the wall time of the whole command (start-up, reading,
# fitting, writing; nanosecond clock, since /usr/bin/time rounds to 10 ms);
# its CPU time (user+sys, both cores) is shown too.
set -eu
. "$(dirname "$0")/lib.sh"
RUNS=${1:-5}
bench_peer_setup
# timed CMD...: prints "wall user+sys fit" seconds of one run (wall from a
# nanosecond clock; fit from the command's -timing line, if any)
timed() {
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$W/time.txt" "$@" -timing 2> "$W/stderr.txt"
  t1=$(date +%s%N)
  fit=$(awk -F'\t' '$1=="seconds_fit" {print $2}' "$W/stderr.txt")
  awk -v w="$(( t1 - t0 ))" -v f="${fit:-NaN}" '{printf "%.4f %.3f %s", w/1e9, $1+$2, f}' "$W/time.txt"
}
kv() { awk -F'\t' -v k="$2" '$1==k {print $2}' "$1"; }

echo "load average before: $(bench_load)  cores: $(nproc)" >&2
printf 'matrix\tDESeq2_DESeq_s\texomir_fit_median_s\tspeedup_fit\texomir_de_median_s\tspeedup_command\texomir_deseq2_cpu_median_s\tedgeR_s\texomir_edger_median_s\tspeedup_edger\texomir_deseq2_runs_s\n'
for k in 10 100; do
  name="2600x$((2 * k))"
  d=$W/$name
  Rscript "$P/simulate_counts.R" "$d" 2600 "$k" 42 0.1 4 >/dev/null
  Rscript "$P/deseq2.R" "$d/counts.tsv" "$d/coldata.tsv" "$d/deseq2.tsv" 2>/dev/null
  Rscript "$P/edger.R" "$d/counts.tsv" "$d/coldata.tsv" "$d/edger.tsv" 2>/dev/null
  t_deseq=$(kv "$d/deseq2.tsv.dispfit.tsv" seconds_DESeq)
  t_edger=$(awk -F'\t' '$1=="seconds_norm_estimateDisp"||$1=="seconds_exactTest" {s+=$2} END {printf "%.3f", s}' "$d/edger.tsv.info.tsv")
  runs=""; cpus=""; fits=""
  for i in $(seq "$RUNS"); do
    r=$(timed "$EXOMIR" de -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" -contrast condition,tumor,control -out "$d/exomir.tsv")
    set -- $r
    runs="$runs $1"; cpus="$cpus $2"; fits="$fits $3"
  done
  med=$(echo "$runs" | tr ' ' '\n' | grep . | median)
  cmed=$(echo "$cpus" | tr ' ' '\n' | grep . | median)
  fmed=$(echo "$fits" | tr ' ' '\n' | grep . | median)
  eruns=""
  for i in $(seq "$RUNS"); do
    r=$(timed "$EXOMIR" de -method edger -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" -contrast condition,tumor,control -out "$d/exomir_edger.tsv")
    set -- $r
    eruns="$eruns $1"
  done
  emed=$(echo "$eruns" | tr ' ' '\n' | grep . | median)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$t_deseq" "$fmed" \
    "$(echo "$t_deseq $fmed" | awk '{printf "%.1f", $1/$2}')" "$med" \
    "$(echo "$t_deseq $med" | awk '{printf "%.1f", $1/$2}')" "$cmed" "$t_edger" "$emed" \
    "$(echo "$t_edger $emed" | awk '{printf "%.1f", $1/$2}')" "$(echo $runs | tr ' ' ',')"
done
echo "load average after: $(bench_load)" >&2
echo "target: speedup >= 100 on both matrices (DESeq2 1.38.3 DESeq() vs the DESeq fit alone: speedup_fit; vs the whole exomir de command: speedup_command)" >&2
