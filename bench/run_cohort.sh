#!/usr/bin/env bash
# exomir run on cohorts: peak memory and wall time per sample for several
# study sizes, and the time of an unchanged rerun (-resume, the default).
# Issue targets: 1,000 samples x 20,000 reads within 400 MB and within
# 1.2x the peak of 100 samples; an unchanged rerun <= 5% of the first run.
#
#   bash bench/run_cohort.sh [reads_per_sample=20000] [threads=2] SAMPLES...
#   e.g. bash bench/run_cohort.sh 20000 2 100 1000
#
# Each study is simulated once (TruSeq, seed 11, half tumor / half
# control) into bench/out/cohort/N; every run starts from an empty output
# folder. CPU seconds (user+sys) are printed too, for extrapolating to
# more cores (samples run in parallel; the study-level steps do not).
set -euo pipefail
cd "$(dirname "$0")/.."
READS=${1:-20000}
THREADS=${2:-2}
shift 2 || true
SIZES=("${@:-100}")
BIN=bench/out/exomir
mkdir -p bench/out/cohort
go build -o "$BIN" ./examples/exomir
printf 'samples\treads\tthreads\tfirst_s\tfirst_cpu_s\tpeak_rss_kb\ts_per_sample\trerun_s\trerun_pct\trerun_rss_kb\n'
for n in "${SIZES[@]}"; do
  data=bench/out/cohort/data_${n}_$READS
  if [ ! -f "$data/samplesheet.tsv" ]; then
    go run ./examples/simulate -out "$data" -samples "$n" -reads "$READS" -kit truseq -seed 11 -plain-names -other "" >/dev/null
  fi
  out=bench/out/cohort/res_${n}_$READS
  rm -rf "$out"
  /usr/bin/time -f "%e %U %S %M" -o "$out.time1" "$BIN" run -samplesheet "$data/samplesheet.tsv" -out "$out" -threads "$THREADS" -quiet >/dev/null
  /usr/bin/time -f "%e %U %S %M" -o "$out.time2" "$BIN" run -samplesheet "$data/samplesheet.tsv" -out "$out" -threads "$THREADS" -quiet >"$out.rerun"
  grep -q "up to date" "$out.rerun" || { echo "rerun was not up to date: $(cat "$out.rerun")"; exit 1; }
  read -r e1 u1 s1 m1 < "$out.time1"
  read -r e2 u2 s2 m2 < "$out.time2"
  awk -v n="$n" -v r="$READS" -v t="$THREADS" -v e1="$e1" -v u1="$u1" -v s1="$s1" -v m1="$m1" -v e2="$e2" -v m2="$m2" \
    'BEGIN { printf "%d\t%d\t%d\t%.1f\t%.1f\t%d\t%.3f\t%.2f\t%.1f\t%d\n", n, r, t, e1, u1+s1, m1, e1/n, e2, 100*e2/e1, m2 }'
done
