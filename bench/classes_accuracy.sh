#!/usr/bin/env bash
# Issue #11 (items 1 and 3): the built-in small-RNA annotation and spike-ins
# on simulated reads of known origin.
#   - class counts (class_tRNA, class_rRNA, class_snRNA, class_snoRNA,
#     class_YRNA, class_vaultRNA, class_SRP_RNA) and
#     tRF-type totals (trf_*) against the simulator's truth: target within 2%
#   - spike-in counts (QIAseq UniSP set) against truth: target within 1%
#   - miRNA L1 (bench/score) with the annotation on and off (-annotation none)
#   - speed: wall time of exomir quant with the annotation on, off, and of
#     gzip -dc of the same file (medians of RUNS interleaved runs), binary
#     size and start-up time (exomir quant on a one-read FASTQ)
#
# usage: bench/classes_accuracy.sh [workdir]      (run from anywhere)
# env:   READS (default 1000000), SEED (1), RUNS (3), SHARED (default
#        ../shared next to the repository), SPIKEINS (the QIAseq UniSP FASTA)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir classes_accuracy "${1:-}")
READS=${READS:-1000000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
SPIKEINS=${SPIKEINS:-$SHARED/data/smallrna/spikeins/QIAseq_miRNA_LibraryQC_spikeins_UniSP100-151.fa}

cd "$repo"
bench_build "$work/bin" examples/simulate examples/exomir bench/score

echo "# workdir $work; $READS reads, seed $SEED; $(date -u +%FT%TZ)"
"$work/bin/simulate" -out "$work/sim" -kit truseq -tumor 1 -control 0 -reads "$READS" -seed "$SEED" \
  -other "" -classes builtin -spikeins "$SPIKEINS" -spikein-share 0.02 >/dev/null
F=$work/sim/tumor1.fastq.gz
"$work/bin/exomir" quant -fastq "$F" -protocol truseq -sample on -spikeins "$SPIKEINS" -out "$work/q" >/dev/null
"$work/bin/exomir" quant -fastq "$F" -protocol truseq -sample off -annotation none -spikeins "$SPIKEINS" -out "$work/q" >/dev/null

echo "## class and tRF-type counts (truth: truth_classes.tsv; exomir: summary.tsv)"
printf 'row\ttruth\texomir\trel_error\n'
awk -F'\t' 'NR==FNR { if (FNR > 1) t[$1] = $2; next } ($1 in t) { e = t[$1] ? ($2 - t[$1]) / t[$1] : 0; printf "%s\t%d\t%d\t%+.2f%%\n", $1, t[$1], $2, 100 * e }' \
  "$work/sim/truth_classes.tsv" "$work/q/on.summary.tsv"

echo "## spike-ins (truth: truth_spikein.tsv; exomir: spikein_counts.tsv)"
awk -F'\t' 'NR==FNR { if (FNR > 1) t[$1] = $2; next } FNR > 1 { d = $2 - t[$1]; if (d < 0) d = -d; l1 += d; tot += t[$1]; if (t[$1] && d / t[$1] > mx) mx = d / t[$1]; if (t[$1] >= 100 && d / t[$1] > mx100) mx100 = d / t[$1]; c += $2 }
  END { printf "spike-ins: truth %d, counted %d (%+.3f%%), L1 %.3f%%, largest per-spike error %.2f%% (%.2f%% among spike-ins with >= 100 reads)\n", tot, c, 100 * (c - tot) / tot, 100 * l1 / tot, 100 * mx, 100 * mx100 }' \
  "$work/sim/truth_spikein.tsv" "$work/q/on.spikein_counts.tsv"

echo "## miRNA L1 with the annotation on and off"
"$work/bin/score" l1 -label annotation_on -truth "$work/sim/truth_mirna_reads.tsv" "$work/q/on.mirna_counts.tsv"
"$work/bin/score" l1 -label annotation_off -truth "$work/sim/truth_mirna_reads.tsv" "$work/q/off.mirna_counts.tsv"

echo "## speed (wall s, median of $RUNS interleaved runs)"
: >"$work/t.gzip"; : >"$work/t.on"; : >"$work/t.off"
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f %e -a -o "$work/t.gzip" sh -c "gzip -dc '$F' >/dev/null"
  /usr/bin/time -f %e -a -o "$work/t.on" "$work/bin/exomir" quant -fastq "$F" -protocol truseq -sample on -out "$work/speed" >/dev/null
  /usr/bin/time -f %e -a -o "$work/t.off" "$work/bin/exomir" quant -fastq "$F" -protocol truseq -sample off -annotation none -out "$work/speed" >/dev/null
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
g=$(med "$work/t.gzip"); on=$(med "$work/t.on"); off=$(med "$work/t.off")
awk -v g="$g" -v on="$on" -v off="$off" 'BEGIN { printf "gzip -dc %.2f s; quant annotation on %.2f s (%.2fx gzip), off %.2f s (%.2fx gzip)\n", g, on, on / g, off, off / g }'

echo "## binary size and start-up"
ls -l "$work/bin/exomir" | awk '{ printf "exomir binary: %.1f MB\n", $5 / 1e6 }'
{ gzip -dc "$F" || true; } | head -4 | gzip >"$work/one.fq.gz"
: >"$work/t.start"
for _ in $(seq 5); do
  /usr/bin/time -f %e -a -o "$work/t.start" "$work/bin/exomir" quant -fastq "$work/one.fq.gz" -protocol truseq -sample e -out "$work/one" >/dev/null 2>&1
done
echo "start-up (quant on a one-read FASTQ, annotation on, median of 5): $(med "$work/t.start") s"
