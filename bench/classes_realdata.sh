#!/usr/bin/env bash
# Issue #11: class composition of the real FASTQs in ../shared/data/fastq
# with the built-in annotation (exomir quant defaults), next to what
# miRTrace (tutorial outputs, Case3 rnatype) and exceRpt (testData_human
# stats) report for the same files. The QIAseq tutorial file is mouse: the
# annotation is human only and is skipped there.
#
# With BASE_EXOMIR set to an exomir binary of an earlier version (e.g.
# one without the YRNA/vaultRNA/SRP_RNA classes), the same files are run
# through it too and a second table says how much of its unassigned share
# (reads_unmapped) the current classes take, and how reads_mirna moved.
#
# usage: bench/classes_realdata.sh [workdir]
# env:   SHARED (default ../shared), BASE_EXOMIR (optional, see above)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir classes_realdata "${1:-}")
D=$SHARED/data/fastq
cd "$repo"
bench_build "$work/bin" examples/exomir
files="mirtrace_sample1 mirtrace_sample2 mirtrace_sample3 bcbio_mirqca_SRR950876 excerpt_testData_human_SRR026761 compsra/compsra_sample01"
printf 'sample\tinput\tmiRNA\ttRNA\trRNA\tsnRNA\tsnoRNA\tYRNA\tvaultRNA\tSRP_RNA\tunmapped\ttRNA_mature\t5p-half\t3p-CCA-tRF\ttRF-1\n'
for f in $files; do
  n=$(basename "$f")
  "$work/bin/exomir" quant -fastq "$D/$f.fastq.gz" -sample "$n" -out "$work/q" >/dev/null 2>&1
  awk -F'\t' -v n="$n" '{ v[$1] = $2 } END {
    m = v["class_tRNA"] - v["trf_leader"] - v["trf_tRF-1"] - v["trf_pre-tRNA"]
    printf "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", n, v["input_reads"], v["reads_mirna"], v["class_tRNA"], v["class_rRNA"],
      v["class_snRNA"], v["class_snoRNA"], v["class_YRNA"], v["class_vaultRNA"], v["class_SRP_RNA"], v["reads_unmapped"], m,
      v["trf_5p-half"], v["trf_3p-CCA-tRF"], v["trf_tRF-1"] }' "$work/q/$n.summary.tsv"
done
if [ -n "${BASE_EXOMIR:-}" ]; then
  echo "## against $BASE_EXOMIR: unassigned (reads_unmapped) before and now, share of it the new classes take, miRNA reads before and now"
  printf 'sample\tunmapped_before\tunmapped_now\tYRNA+vaultRNA+SRP_RNA\ttaken_of_unmapped\tmiRNA_before\tmiRNA_now\n'
  for f in $files; do
    n=$(basename "$f")
    "$BASE_EXOMIR" quant -fastq "$D/$f.fastq.gz" -sample "$n" -out "$work/base" >/dev/null 2>&1
    awk -F'\t' -v n="$n" 'NR==FNR { b[$1] = $2; next } { v[$1] = $2 } END {
      c = v["class_YRNA"] + v["class_vaultRNA"] + v["class_SRP_RNA"]
      printf "%s\t%d\t%d\t%d\t%.1f%%\t%d\t%d\n", n, b["reads_unmapped"], v["reads_unmapped"], c,
        b["reads_unmapped"] ? 100 * (b["reads_unmapped"] - v["reads_unmapped"]) / b["reads_unmapped"] : 0, b["reads_mirna"], v["reads_mirna"] }' \
      "$work/base/$n.summary.tsv" "$work/q/$n.summary.tsv"
  done
fi
echo "# miRTrace (Case3 tutorial output, mirtrace-stats-rnatype.tsv; reads >= 18 nt, its own references):"
sed 's/^/#   /' "$SHARED/data/counts/mirtrace_tutorial_outputs/Case3/mirtrace-stats-rnatype.tsv"
echo "# exceRpt v4.6.3 (testData_human.fastq.stats) for excerpt_testData_human_SRR026761:"
grep -E '^(input|rRNA|miRNA_sense|tRNA_sense|piRNA_sense|not_mapped)' "$SHARED/data/counts/excerpt_testData_human/testData_human.fastq.stats" | sed 's/^/#   /'
