#!/usr/bin/env bash
# Regenerates the simulated fixtures committed under testdata/ with the
# simulator (go run ./examples/simulate). Deterministic: same seeds, same files.
#
#   testdata/sim/   one TruSeq (30k reads) and one QIAseq (20k reads) sample
#                   + truth, for accuracy tests of quant
#   testdata/demo/  3 tumor + 3 control TruSeq samples (40k reads each) +
#                   samplesheet + truth, for `exomir demo`
#
# usage: bench/make_testdata.sh [sim|demo|all]   (run from the repo root)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/simulate" ./examples/simulate
# everything from the repo: miRBase 21 hsa (quant/mirbase, md5-identical to
# the shared data's mirbase/hsa_*_v21.fa) and the tDRmapper tRNA set
sim() { "$tmp/simulate" -mature quant/mirbase/hsa_mature_v21.fa.gz -hairpin quant/mirbase/hsa_hairpin_v21.fa.gz \
          -other testdata/sim/tdrmapper_hg19_tRNA.fa "$@"; }

if [[ $what == sim || $what == all ]]; then
  sim -out "$tmp/truseq" -kit truseq -tumor 1 -control 0 -reads 30000 -seed 11 -plain-names -gzip-level 9
  sim -out "$tmp/qiaseq" -kit qiaseq -tumor 1 -control 0 -reads 20000 -seed 12 -plain-names -gzip-level 9
  d=testdata/sim; mkdir -p $d
  for k in truseq qiaseq; do
    cp "$tmp/$k/tumor1.fastq.gz" $d/$k.fastq.gz
    cp "$tmp/$k/truth_mirna_reads.tsv" $d/${k}_truth_mirna_reads.tsv
    cp "$tmp/$k/truth_summary.tsv" $d/${k}_truth_summary.tsv
  done
  cp "$tmp/qiaseq/truth_mirna_molecules.tsv" $d/qiaseq_truth_mirna_molecules.tsv
  cp "$tmp/truseq/truth_features.tsv" $d/truth_features.tsv
fi

if [[ $what == demo || $what == all ]]; then
  sim -out "$tmp/demo" -kit truseq -tumor 3 -control 3 -reads 40000 -seed 2026 \
    -min-lfc 1.5 -max-lfc 3 -plain-names -gzip-level 9
  d=testdata/demo; mkdir -p $d
  cp "$tmp"/demo/*.fastq.gz "$tmp"/demo/samplesheet.tsv "$tmp"/demo/truth_mirna_reads.tsv \
     "$tmp"/demo/truth_foldchange.tsv "$tmp"/demo/truth_summary.tsv $d/
fi
du -ch testdata/sim testdata/demo 2>/dev/null | tail -1
