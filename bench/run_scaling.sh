#!/usr/bin/env bash
# exomir run: speed-up of -threads 2 over -threads 1 on 6 samples and peak
# memory (issue targets: >= 1.8x, <= 500 MB). Cohorts (100 / 1,000 samples,
# memory and reruns): bench/run_cohort.sh.
#
#   bash bench/run_scaling.sh [reads_per_sample=2000000] [repeats=3]
#
# Simulates 6 TruSeq samples (3 tumor + 3 control) once into bench/out/run6,
# then times `exomir run` with -threads 1 and 2 alternately; prints medians.
set -euo pipefail
cd "$(dirname "$0")/.."
READS=${1:-2000000}
REPS=${2:-3}
OUT=bench/out/run6
BIN=bench/out/exomir
mkdir -p bench/out
go build -o "$BIN" ./examples/exomir
if [ ! -f "$OUT/data_$READS/samplesheet.tsv" ]; then
  go run ./examples/simulate -out "$OUT/data_$READS" -samples 6 -reads "$READS" -kit truseq -seed 7 -plain-names >/dev/null
fi
SHEET="$OUT/data_$READS/samplesheet.tsv"
t1=(); t2=(); m1=(); m2=()
for i in $(seq "$REPS"); do
  for th in 1 2; do
    rm -rf "$OUT/res$th"
    /usr/bin/time -f "%e %M" -o "$OUT/time$th" "$BIN" run -samplesheet "$SHEET" -out "$OUT/res$th" -threads $th -quiet >/dev/null
    read -r sec kb < "$OUT/time$th"
    if [ $th = 1 ]; then t1+=("$sec"); m1+=("$kb"); else t2+=("$sec"); m2+=("$kb"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mt1=$(median "${t1[@]}"); mt2=$(median "${t2[@]}")
echo "samples: 6 x $READS reads (50 nt TruSeq, gzip)"
echo "threads 1: ${t1[*]} s  median $mt1 s  peak RSS max $(printf '%s\n' "${m1[@]}" | sort -g | tail -1) KB"
echo "threads 2: ${t2[*]} s  median $mt2 s  peak RSS max $(printf '%s\n' "${m2[@]}" | sort -g | tail -1) KB"
echo "speed-up threads 2 / threads 1: $(echo "$mt1 / $mt2" | bc -l | cut -c1-5)x"
cmp -s "$OUT/res1/mirna_counts.tsv" "$OUT/res2/mirna_counts.tsv" && cmp -s "$OUT/res1/de.tsv" "$OUT/res2/de.tsv" \
  && echo "outputs identical across thread counts" || { echo "outputs DIFFER across thread counts"; exit 1; }
