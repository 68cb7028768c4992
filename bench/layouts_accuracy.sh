#!/usr/bin/env bash
# Issue #8 figures: accuracy with a realistic error profile, reads with an N
# kept (-max-n 1, the default) or dropped (-max-n 0), and an ENCODE-layout
# library (6-nt 5' barcode + ENCODE adapter) detected with -protocol auto
# versus cutadapt -u 6 -a ACGGGCTAATATTTATCGGTGGAG then exomir -protocol none.
#
# Per-miRNA L1 = Σ|count − truth| / Σ truth over features (names sharing a
# sequence scored as one, bench/score). Targets: TruSeq ≤ 0.5% (reads),
# NEXTflex ≤ 1% (reads), QIAseq ≤ 1% (molecules); ENCODE auto within 5% of
# the cutadapt route in miRNA reads.
#
# Error profile (simulate flags): substitutions 0.001 at the first cycle
# rising steeply to ERR_END at the last (-err-shape 4), Phred qualities that
# follow it, a 3' quality drop (to Phred 5) in QUAL_DROP of the reads, N
# calls at 0.0005 per base. Measured on ../shared/data/fastq: reads whose
# last 10 bases average below Q15 are 1.0% of bcbio_mirqca (GAIIx), <= 0.2%
# of the NextSeq/HiSeq files (mirtrace_sample1/2, compsra, QIAseq) and 52%
# of the old GAII v1.5 file (mirtrace_sample3); N calls 0.00001-0.0007 per
# base. QUAL_DROP defaults to 2%; 10% is a harsh case.
#
# usage: bench/layouts_accuracy.sh [workdir]     (run from anywhere)
# env:   READS (default 1000000 per sample), SEED (1), ERR_END (0.008), QUAL_DROP (0.02),
#        MATURE / HAIRPIN (default: the embedded miRBase 21 files in quant/mirbase)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir layouts_accuracy "${1:-}")
READS=${READS:-1000000}
SEED=${SEED:-1}
ERR_END=${ERR_END:-0.008}
QUAL_DROP=${QUAL_DROP:-0.02}
MATURE=${MATURE:-$repo/quant/mirbase/hsa_mature_v21.fa.gz}
HAIRPIN=${HAIRPIN:-$repo/quant/mirbase/hsa_hairpin_v21.fa.gz}
ENCODE_ADAPTER=ACGGGCTAATATTTATCGGTGGAG

cd "$repo"
bench_build "$work/bin" examples/simulate examples/exomir bench/score

profile=(-err-start 0.001 -err-end "$ERR_END" -err-shape 4 -phred-qual -qual-drop "$QUAL_DROP" -n-rate 0.0005 -n-read-rate 0)
echo "# workdir $work; $READS reads per sample, seed $SEED; profile ${profile[*]}; $(date -u +%FT%TZ)"
for kit in truseq nextflex qiaseq encode; do
  "$work/bin/simulate" -out "$work/$kit" -kit "$kit" -tumor 1 -control 0 -reads "$READS" -seed "$SEED" \
    -mature "$MATURE" -hairpin "$HAIRPIN" -other testdata/sim/tdrmapper_hg19_tRNA.fa -plain-names "${profile[@]}" >/dev/null
done

quant() { "$work/bin/exomir" quant -mature "$MATURE" -hairpin "$HAIRPIN" -out "$work/exomir" "$@" >/dev/null; }
score() { "$work/bin/score" l1 -mature "$MATURE" -top 0 "$@" | sed -n 1p; }
row() { grep -P "^$2\t" "$work/exomir/$1.summary.tsv" | cut -f2; }

quant -fastq "$work/truseq/tumor1.fastq.gz" -protocol truseq -sample truseq_maxn1
quant -fastq "$work/truseq/tumor1.fastq.gz" -protocol truseq -sample truseq_maxn0 -max-n 0
quant -fastq "$work/nextflex/tumor1.fastq.gz" -sample nextflex_auto
quant -fastq "$work/nextflex/tumor1.fastq.gz" -sample nextflex_maxn0 -max-n 0
quant -fastq "$work/qiaseq/tumor1.fastq.gz" -protocol qiaseq -umi -sample qiaseq
quant -fastq "$work/qiaseq/tumor1.fastq.gz" -protocol qiaseq -umi -sample qiaseq_maxn0 -max-n 0
quant -fastq "$work/encode/tumor1.fastq.gz" -sample encode_auto

echo
echo "== L1 against truth (targets: TruSeq <= 0.5%, NEXTflex and QIAseq <= 1%) =="
printf 'sample\tL1\treads_mirna\treads_too_many_n\tprotocol\tclip5\tclip3\tlayout_source\n'
for s in truseq_maxn1 truseq_maxn0 nextflex_auto nextflex_maxn0 qiaseq qiaseq_maxn0 encode_auto; do
  kit=${s%%_*}
  truth="$work/$kit/truth_mirna_reads.tsv"
  if [[ $kit == qiaseq ]]; then truth="$work/qiaseq/truth_mirna_molecules.tsv"; fi
  l1=$(score -label "$s" -truth "$truth" "$work/exomir/$s.mirna_counts.tsv" | cut -f2,3)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$l1" "$(row "$s" reads_mirna)" "$(row "$s" reads_too_many_n)" \
    "$(row "$s" protocol)" "$(row "$s" clip5)" "$(row "$s" clip3)" "$(row "$s" layout_source)"
done

echo
echo "== ENCODE layout: -protocol auto vs cutadapt -u 6 -a $ENCODE_ADAPTER + -protocol none =="
if command -v cutadapt >/dev/null; then
  cutadapt -j 1 -u 6 -a "$ENCODE_ADAPTER" -e 0.1 -O 3 -o "$work/encode/cut.fastq.gz" "$work/encode/tumor1.fastq.gz" >"$work/encode/cutadapt.log" 2>&1
  quant -fastq "$work/encode/cut.fastq.gz" -protocol none -sample encode_cutadapt
  a=$(row encode_auto reads_mirna); c=$(row encode_cutadapt reads_mirna)
  l1c=$(score -label encode_cutadapt -truth "$work/encode/truth_mirna_reads.tsv" "$work/exomir/encode_cutadapt.mirna_counts.tsv" | cut -f2,3)
  printf 'route\treads_mirna\tL1\n'
  printf 'exomir -protocol auto (%s, clip5 %s)\t%s\t%s\n' "$(row encode_auto protocol)" "$(row encode_auto clip5)" "$a" \
    "$(score -label x -truth "$work/encode/truth_mirna_reads.tsv" "$work/exomir/encode_auto.mirna_counts.tsv" | cut -f2,3)"
  printf 'cutadapt %s + exomir -protocol none\t%s\t%s\n' "$(cutadapt --version)" "$c" "$l1c"
  awk -v a="$a" -v c="$c" 'BEGIN { printf "difference: %.2f%% of the cutadapt route (target <= 5%%)\n", 100 * (a - c) / c }'
else
  echo "cutadapt not found: skipped"
fi
grep -P "^detection_note\t" "$work/exomir/encode_auto.summary.tsv" | cut -f2
