#!/usr/bin/env bash
# Clade composition (exogenous miRNA search) and EV QC flags of the real
# FASTQ files in the shared data folder: `exomir quant` with default
# settings (kit detected, human miRBase 21, exogenous search on) on each
# file, then the summary rows reads_mirna, reads_exogenous_mirna,
# clade_*, human_viral_mirnas and qc_failed in one table.
#
# usage: bench/exogenous_realdata.sh [workdir]       (from anywhere)
# env:   SHARED (the project's shared folder; default ../shared next to the
#        repository), OTHER (extra quant flags, e.g. "-other tRNA=FILE")
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir exogenous_realdata "${1:-}")
cd "$repo"
bench_build "$work/bin" examples/exomir
rows="input_reads reads_mirna reads_unmapped reads_exogenous_mirna clade_human clade_other_mammal clade_plant clade_nematode clade_insect clade_virus clade_other human_viral_mirnas qc_failed"
printf 'file'; for r in $rows; do printf '\t%s' "$r"; done; echo
for f in "$SHARED"/data/fastq/*.fastq.gz "$SHARED"/data/fastq/compsra/*.fastq.gz; do
	s=$(basename "$f" .fastq.gz)
	# shellcheck disable=SC2086
	"$work/bin/exomir" quant -fastq "$f" -sample "$s" -out "$work/q" ${OTHER:-} >/dev/null 2>"$work/$s.err" ||
		{ echo "$s: quant failed: $(cat "$work/$s.err")" >&2; continue; }
	printf '%s' "$s"
	for r in $rows; do
		printf '\t%s' "$(awk -F'\t' -v r="$r" '$1 == r { v = $2 } END { print (v == "" ? "NA" : v) }' "$work/q/$s.summary.tsv")"
	done
	echo
done
