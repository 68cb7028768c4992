#!/usr/bin/env bash
# Issue #11: class composition of the real FASTQs in ../shared/data/fastq
# with the built-in annotation (exomir quant defaults), next to what
# miRTrace (tutorial outputs, Case3 rnatype) and exceRpt (testData_human
# stats) report for the same files. The QIAseq tutorial file is mouse: the
# annotation is human only and is skipped there.
#
# usage: bench/classes_realdata.sh [workdir]    env: SHARED (default ../shared)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/classes_realdata.XXXXXX)}
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
D=$SHARED/data/fastq
mkdir -p "$work/bin"
cd "$repo"
go build -o "$work/bin/exomir" ./examples/exomir
files="mirtrace_sample1 mirtrace_sample2 mirtrace_sample3 bcbio_mirqca_SRR950876 excerpt_testData_human_SRR026761 compsra/compsra_sample01"
printf 'sample\tinput\tmiRNA\ttRNA\trRNA\tsnRNA\tsnoRNA\tunmapped\ttRNA_mature\t5p-half\t3p-CCA-tRF\ttRF-1\n'
for f in $files; do
  n=$(basename "$f")
  "$work/bin/exomir" quant -fastq "$D/$f.fastq.gz" -sample "$n" -out "$work/q" >/dev/null 2>&1
  awk -F'\t' -v n="$n" '{ v[$1] = $2 } END {
    m = v["class_tRNA"] - v["trf_leader"] - v["trf_tRF-1"] - v["trf_pre-tRNA"]
    printf "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", n, v["input_reads"], v["reads_mirna"], v["class_tRNA"], v["class_rRNA"],
      v["class_snRNA"], v["class_snoRNA"], v["reads_unmapped"], m, v["trf_5p-half"], v["trf_3p-CCA-tRF"], v["trf_tRF-1"] }' "$work/q/$n.summary.tsv"
done
echo "# miRTrace (Case3 tutorial output, mirtrace-stats-rnatype.tsv; reads >= 18 nt, its own references):"
sed 's/^/#   /' "$SHARED/data/counts/mirtrace_tutorial_outputs/Case3/mirtrace-stats-rnatype.tsv"
echo "# exceRpt v4.6.3 (testData_human.fastq.stats) for excerpt_testData_human_SRR026761:"
grep -E '^(input|rRNA|miRNA_sense|tRNA_sense|piRNA_sense|not_mapped)' "$SHARED/data/counts/excerpt_testData_human/testData_human.fastq.stats" | sed 's/^/#   /'
