#!/usr/bin/env bash
# Issue #3 real-data target: on the real TruSeq files in ../shared/data/fastq/,
# per-miRNA counts of `exomir quant` agree with the standard pipeline
# (../shared/peers/mirna_pipeline.sh): Spearman >= 0.95 over miRNAs with >= 10
# reads in either (features sharing a sequence merged). Also compared with the
# pipeline's isomiR-aware mirtop branch (MIRTOP_GFF) when mirtop is installed.
# Prints the largest disagreements (|log2 ratio|) for the closing note.
#
# usage: bench/realdata_spearman.sh [workdir]
# env:   FILES (default: the three TruSeq files), MIN (10), TOP (12),
#        SHARED (the project's shared folder; default ../shared next to the repository)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir realdata_spearman "${1:-}")
D=$SHARED/data
FILES=${FILES:-"$D/fastq/bcbio_mirqca_SRR950876.fastq.gz $D/fastq/mirtrace_sample1.fastq.gz $D/fastq/mirtrace_sample2.fastq.gz"}
MATURE=${MATURE:-$D/mirbase/hsa_mature_v21.fa}
HAIRPIN=${HAIRPIN:-$D/mirbase/hsa_hairpin_v21.fa}
GFF=${GFF:-$D/mirbase/hsa_v21.gff3}
PIPE=${PIPE:-$SHARED/peers/mirna_pipeline.sh}
MIN=${MIN:-10}
TOP=${TOP:-12}
ADAPTER=TGGAATTCTCGGGTGCCAAGG

cd "$repo"
bench_build "$work/bin" examples/exomir bench/score
mirtop_env=()
if command -v mirtop >/dev/null; then mirtop_env=(MIRTOP_GFF="$GFF"); fi

echo "# $(date -u +%FT%TZ); exomir quant -protocol truseq vs mirna_pipeline.sh (adapter $ADAPTER, SPECIES=hsa)"
for f in $FILES; do
  s=$(basename "$f" .fastq.gz)
  "$work/bin/exomir" quant -fastq "$f" -protocol truseq -sample "$s" -mature "$MATURE" -hairpin "$HAIRPIN" -out "$work/exomir" >/dev/null
  env SPECIES=hsa THREADS=2 INDEX_CACHE="$work/peer_index" "${mirtop_env[@]}" \
    "$PIPE" "$f" "$ADAPTER" "$MATURE" "$HAIRPIN" "$work/peer_$s" >"$work/peer_$s.log" 2>&1 ||
    { tail -20 "$work/peer_$s.log" >&2; exit 1; }
  echo
  echo "== $s: exomir (first column) vs pipeline counts.tsv (bowtie/idxstats) =="
  "$work/bin/score" spearman -mature "$MATURE" -min "$MIN" -top "$TOP" "$work/exomir/$s.mirna_counts.tsv" "$work/peer_$s/counts.tsv"
  if [[ -s $work/peer_$s/mirtop_mature_counts.tsv ]]; then
    echo "-- $s: exomir vs pipeline mirtop_mature_counts.tsv (isomiR-aware) --"
    "$work/bin/score" spearman -mature "$MATURE" -min "$MIN" -top "$TOP" "$work/exomir/$s.mirna_counts.tsv" "$work/peer_$s/mirtop_mature_counts.tsv"
  fi
done

# all files pooled (more miRNAs above the threshold than any single small file)
ex=""; pc=""; pm=""
for f in $FILES; do
  s=$(basename "$f" .fastq.gz)
  ex+="${ex:+,}$work/exomir/$s.mirna_counts.tsv"; pc+="${pc:+,}$work/peer_$s/counts.tsv"
  [[ -s $work/peer_$s/mirtop_mature_counts.tsv ]] && pm+="${pm:+,}$work/peer_$s/mirtop_mature_counts.tsv"
done
echo
echo "== pooled ($(wc -w <<<"$FILES") files): exomir vs pipeline counts.tsv =="
"$work/bin/score" spearman -mature "$MATURE" -min "$MIN" -top "$TOP" "$ex" "$pc"
if [[ $(tr ',' ' ' <<<"$pm" | wc -w) == $(wc -w <<<"$FILES") ]]; then
  echo "-- pooled: exomir vs pipeline mirtop_mature_counts.tsv (isomiR-aware) --"
  "$work/bin/score" spearman -mature "$MATURE" -min "$MIN" -top "$TOP" "$ex" "$pm"
fi
