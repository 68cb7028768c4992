#!/usr/bin/env bash
# Issue #3 accuracy target (plus NEXTflex with adapter/kit auto-detection, for information): L1 = Σ|count − truth| / Σ truth on simulated
# reads of known origin (features sharing a sequence scored as one), for
# `exomir quant` and for the standard pipeline (../shared/peers/mirna_pipeline.sh,
# nf-core/smrnaseq settings) on the same TruSeq file.
#   targets: exomir ≤ 1% (TruSeq, reads), ≤ 2% (QIAseq, molecules); peer ≈ 35%
#
# usage: bench/quant_accuracy.sh [workdir]      (run from anywhere)
# env:   READS (default 1000000 per sample), SEED (1), PEER=0 skips the pipeline,
#        MATURE / HAIRPIN (miRBase 21 hsa from the shared data), SHARED (the project's
#        shared folder; default ../shared next to the repository)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir quant_accuracy "${1:-}")
READS=${READS:-1000000}
SEED=${SEED:-1}
PEER=${PEER:-1}
MATURE=${MATURE:-$SHARED/data/mirbase/hsa_mature_v21.fa}
HAIRPIN=${HAIRPIN:-$SHARED/data/mirbase/hsa_hairpin_v21.fa}
PIPE=${PIPE:-$SHARED/peers/mirna_pipeline.sh}

cd "$repo"
bench_build "$work/bin" examples/simulate examples/exomir bench/score

echo "# workdir $work; $READS reads per sample, seed $SEED; $(date -u +%FT%TZ)"
"$work/bin/simulate" -out "$work/truseq" -kit truseq -tumor 1 -control 0 -reads "$READS" -seed "$SEED" -mature "$MATURE" -hairpin "$HAIRPIN"
"$work/bin/simulate" -out "$work/qiaseq" -kit qiaseq -tumor 1 -control 0 -reads "$READS" -seed "$SEED" -mature "$MATURE" -hairpin "$HAIRPIN"
"$work/bin/simulate" -out "$work/nextflex" -kit nextflex -tumor 1 -control 0 -reads "$READS" -seed "$SEED" -mature "$MATURE" -hairpin "$HAIRPIN"

score() { "$work/bin/score" l1 -mature "$MATURE" -top "${TOP:-5}" "$@"; }

# exomir, TruSeq (reads) and QIAseq (molecules; reads too, for information)
"$work/bin/exomir" quant -fastq "$work/truseq/tumor1.fastq.gz" -protocol truseq -sample truseq \
  -mature "$MATURE" -hairpin "$HAIRPIN" -out "$work/exomir" >/dev/null
"$work/bin/exomir" quant -fastq "$work/qiaseq/tumor1.fastq.gz" -protocol qiaseq -umi -sample qiaseq \
  -mature "$MATURE" -hairpin "$HAIRPIN" -out "$work/exomir" >/dev/null

"$work/bin/exomir" quant -fastq "$work/nextflex/tumor1.fastq.gz" -sample nextflex_auto \
  -mature "$MATURE" -hairpin "$HAIRPIN" -out "$work/exomir" >/dev/null

res_nextflex=$(score -label exomir_nextflex_auto_reads -truth "$work/nextflex/truth_mirna_reads.tsv" "$work/exomir/nextflex_auto.mirna_counts.tsv")
res_truseq=$(score -label exomir_truseq_reads -truth "$work/truseq/truth_mirna_reads.tsv" "$work/exomir/truseq.mirna_counts.tsv")
res_qiaseq=$(score -label exomir_qiaseq_molecules -truth "$work/qiaseq/truth_mirna_molecules.tsv" "$work/exomir/qiaseq.mirna_counts.tsv")

res_peer="peer_truseq_reads	(skipped: PEER=0)"
res_peer_norc=""
res_peer_mirtop=""
if [[ $PEER == 1 ]]; then
  if ! command -v bowtie >/dev/null || ! command -v cutadapt >/dev/null; then
    echo "peer tools missing: run bash $SHARED/peers/install.sh" >&2; exit 2
  fi
  # with MIRTOP_GFF the pipeline also runs nf-core's isomiR branch (mirtop), scored as well
  mirtop_env=()
  if command -v mirtop >/dev/null; then mirtop_env=(MIRTOP_GFF="${GFF:-$SHARED/data/mirbase/hsa_v21.gff3}"); fi
  env SPECIES=hsa THREADS=2 "${mirtop_env[@]}" "$PIPE" "$work/truseq/tumor1.fastq.gz" TGGAATTCTCGGGTGCCAAGG "$MATURE" "$HAIRPIN" "$work/peer" \
    >"$work/peer.log" 2>&1 || { tail -20 "$work/peer.log" >&2; exit 1; }
  res_peer=$(score -label peer_truseq_reads -truth "$work/truseq/truth_mirna_reads.tsv" "$work/peer/counts.tsv")
  if [[ -s $work/peer/mirtop_mature_counts.tsv ]]; then
    res_peer_mirtop=$(score -label peer_truseq_reads_mirtop -truth "$work/truseq/truth_mirna_reads.tsv" "$work/peer/mirtop_mature_counts.tsv")
  fi
  # same pipeline with bowtie --norc (sense strand only), for reference
  SPECIES=hsa THREADS=2 INDEX_CACHE="$work/peer/index" BOWTIE_MATURE_ARGS="-t -k 50 --best --strata -e 99999 --chunkmbs 2048 --norc" \
    "$PIPE" "$work/truseq/tumor1.fastq.gz" TGGAATTCTCGGGTGCCAAGG "$MATURE" "$HAIRPIN" "$work/peer_norc" >"$work/peer_norc.log" 2>&1 &&
    res_peer_norc=$(score -label peer_truseq_reads_norc -truth "$work/truseq/truth_mirna_reads.tsv" "$work/peer_norc/counts.tsv")
fi

echo
echo "== L1 (lower is better; targets: exomir TruSeq <= 1%, QIAseq molecules <= 2%) =="
printf '%s\n' "$res_truseq" "$res_qiaseq" "$res_nextflex" "$res_peer"
if [[ -n $res_peer_norc ]]; then printf '%s\n' "$res_peer_norc"; fi
if [[ -n $res_peer_mirtop ]]; then printf '%s\n' "$res_peer_mirtop"; fi
echo
echo "== side by side (TruSeq, $READS reads) =="
printf '%-28s %s\n' "exomir quant" "$(sed -n 1p <<<"$res_truseq" | cut -f2,3)"
printf '%-28s %s\n' "mirna_pipeline.sh" "$(sed -n 1p <<<"$res_peer" | cut -f2,3)"
if [[ -n $res_peer_norc ]]; then printf '%-28s %s\n' "mirna_pipeline.sh --norc" "$(sed -n 1p <<<"$res_peer_norc" | cut -f2,3)"; fi
if [[ -n $res_peer_mirtop ]]; then printf '%-28s %s\n' "mirna_pipeline.sh mirtop" "$(sed -n 1p <<<"$res_peer_mirtop" | cut -f2,3)"; fi
printf '%-28s %s\n' "exomir quant QIAseq (mol.)" "$(sed -n 1p <<<"$res_qiaseq" | cut -f2,3)"
printf '%-28s %s\n' "exomir NEXTflex (auto kit)" "$(sed -n 1p <<<"$res_nextflex" | cut -f2,3)"
