#!/usr/bin/env bash
# Issue #14 targets, on the demo and on simulated studies (TruSeq reads; QIAseq with UMIs,
# molecules) written by examples/simulate with isomiR truth:
#   - isomir_counts.tsv summed per miRNA − mirna_counts.tsv = 0 for every miRNA and sample;
#   - mirtop counts' table of isomirs.gff3, summed per miRNA (column miRNA), = mirna_counts.tsv;
#   - Debian's mirtop stats, counts and validate exit 0 on isomirs.gff3;
#   - per-isomiR L1 = Σ|count − truth| / Σ truth over (isomiR, sample) cells with truth ≥ 50
#     (an isomiR: mature feature × read sequence, truth without sequencing errors) ≤ 2%.
#
# usage: bench/isomir_accuracy.sh [workdir]      (run from anywhere)
# env:   READS (default 300000 per sample), SAMPLES (4), SEED (1)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir isomir_accuracy "${1:-}")
READS=${READS:-300000}
SAMPLES=${SAMPLES:-4}
SEED=${SEED:-1}

cd "$repo"
bench_build "$work/bin" examples/simulate examples/exomir bench/isomirscore
command -v mirtop >/dev/null || { echo "mirtop not installed (Debian package mirtop)" >&2; exit 2; }

echo "# workdir $work; $SAMPLES samples x $READS reads, seed $SEED; $(date -u +%FT%TZ)"
"$work/bin/simulate" -out "$work/truseq" -kit truseq -samples "$SAMPLES" -reads "$READS" -seed "$SEED" >/dev/null
"$work/bin/simulate" -out "$work/qiaseq" -kit qiaseq -samples "$SAMPLES" -reads "$READS" -seed "$SEED" >/dev/null
"$work/bin/exomir" demo -quiet -out "$work/demo/run" >/dev/null
"$work/bin/exomir" run -quiet -samplesheet "$work/truseq/samplesheet.tsv" -protocol truseq -out "$work/truseq/run" >/dev/null
"$work/bin/exomir" run -quiet -samplesheet "$work/qiaseq/samplesheet.tsv" -protocol qiaseq -umi -out "$work/qiaseq/run" >/dev/null

status=0
for study in demo truseq qiaseq; do
  r=$work/$study/run
  echo "== $study =="
  "$work/bin/isomirscore" reconcile -label "isomir_counts-vs-matrix" -matrix "$r/mirna_counts.tsv" -name mirna "$r/isomir_counts.tsv" || status=1
  m=$work/$study/mirtop
  mkdir -p "$m/counts" "$m/stats" "$m/validate"
  for cmd in "counts --gff $r/isomirs.gff3 --out $m/counts" "stats -o $m/stats $r/isomirs.gff3" "validate -o $m/validate $r/isomirs.gff3"; do
    set +e; mirtop $cmd >"$m/${cmd%% *}.log" 2>&1; rc=$?; set -e
    echo "mirtop ${cmd%% *}: exit $rc"
    [[ $rc == 0 ]] || status=1
  done
  "$work/bin/isomirscore" reconcile -label "mirtop_counts-vs-matrix" -matrix "$r/mirna_counts.tsv" -name miRNA "$m/counts/isomirs.tsv" || status=1
  case $study in
    truseq) "$work/bin/isomirscore" l1 -label "isomiR_L1_reads(truth>=50)" -truth "$work/truseq/truth_isomir_reads.tsv" -min 50 "$r/isomir_counts.tsv" ;;
    qiaseq) "$work/bin/isomirscore" l1 -label "isomiR_L1_molecules(truth>=50)" -truth "$work/qiaseq/truth_isomir_molecules.tsv" -min 50 "$r/isomir_counts.tsv" ;;
  esac
done
exit $status
