#!/usr/bin/env bash
# Per-read agreement of exomir's 3' adapter trimming with cutadapt on the
# real TruSeq files (issue #2 target: >= 99.5% of reads give the same insert).
#
# cutadapt runs with the issue's settings: -a TGGAATTCTCGGGTGCCAAGG -e 0.1 -O 3,
# no length filter, so both outputs hold every read in input order (reads
# trimmed to nothing stay as empty records). Then bench/cutadapt compares
# the inserts read by read.
#
# Usage: bench/cutadapt_agreement.sh [FASTQ...]   (default: the three TruSeq files)
# SHOW=n prints n differing reads; TIME=1 also times Trim per read (in memory).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$BENCH_REPO"
data=${DATA:-$SHARED/data/fastq}
adapter=TGGAATTCTCGGGTGCCAAGG
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=("$data/bcbio_mirqca_SRR950876.fastq.gz" "$data/mirtrace_sample1.fastq.gz" "$data/mirtrace_sample2.fastq.gz")
fi
bench_need cutadapt "cutadapt not found (bash ../shared/peers/install.sh)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/compare" ./bench/cutadapt
echo "cutadapt $(cutadapt --version), -a $adapter -e 0.1 -O 3"
printf 'file\treads\tsame\tdiffer\tagreement\n'
for f in "${files[@]}"; do
  cutadapt -j 1 -a "$adapter" -e 0.1 -O 3 -o "$tmp/cut.fastq" "$f" >"$tmp/cutadapt.log" 2>&1 ||
    { cat "$tmp/cutadapt.log" >&2; exit 1; }
  "$tmp/compare" -in "$f" -cutadapt "$tmp/cut.fastq" -adapter "$adapter" -e 0.1 -O 3 -show "${SHOW:-0}" ${TIME:+-time}
done
