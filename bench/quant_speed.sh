#!/usr/bin/env bash
# Issue #3 speed target, measured in one run on one machine:
#   `exomir quant` (built binary, default threads) on a 2M-read 50-nt TruSeq FASTQ.gz
#   vs `gzip -dc` of the same file (target: quant <= 1.0x gzip -dc)
#   vs ../shared/peers/mirna_pipeline.sh (target: ~45x slower than quant)
#   peak RSS of exomir quant (target <= 300 MB)
# Medians of RUNS (5) runs for gzip and exomir (interleaved, so load changes hit
# both), PEER_RUNS (3) for the pipeline. Wall-clock seconds from /usr/bin/time;
# CPU seconds (user+sys, children included) are printed too: on a shared,
# loaded machine they are the steadier figure. Each pipeline run is preceded by
# one more gzip -dc run, and the pipeline ratio uses the gzip runs of its own
# rounds (wall) so that load changes between phases cancel out.
#
# usage: bench/quant_speed.sh [workdir]
# env:   READS (2000000), RUNS (5), PEER_RUNS (3; 0 skips), FASTQ (use this file
#        instead of simulating), PROTOCOLS ("auto truseq": exomir -protocol values)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir quant_speed "${1:-}")
READS=${READS:-2000000}
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-3}
PROTOCOLS=${PROTOCOLS:-auto truseq}
MATURE=${MATURE:-$SHARED/data/mirbase/hsa_mature_v21.fa}
HAIRPIN=${HAIRPIN:-$SHARED/data/mirbase/hsa_hairpin_v21.fa}
PIPE=${PIPE:-$SHARED/peers/mirna_pipeline.sh}

cd "$repo"
bench_build "$work/bin" examples/exomir
if [[ -z ${FASTQ:-} ]]; then
  bench_build "$work/bin" examples/simulate
  [[ -s $work/sim/tumor1.fastq.gz ]] ||
    "$work/bin/simulate" -out "$work/sim" -kit truseq -tumor 1 -control 0 -reads "$READS" -seed 1 >/dev/null
  FASTQ=$work/sim/tumor1.fastq.gz
fi
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(bench_load); file $FASTQ ($(stat -c %s "$FASTQ") bytes)"

# t CMD... : prints "wall_s max_rss_kb cpu_s"
t() { /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" ||
        { cat "$work/stderr.txt" >&2; return 1; }; awk '{printf "%s %s %.2f\n", $1, $2, $3+$4}' "$work/time.txt"; }

: >"$work/gzip.txt"
for p in $PROTOCOLS; do : >"$work/exomir_$p.txt"; done
for i in $(seq "$RUNS"); do
  t gzip -dc "$FASTQ" >>"$work/gzip.txt"
  for p in $PROTOCOLS; do
    rm -rf "$work/out_$p"
    t "$work/bin/exomir" quant -fastq "$FASTQ" -protocol "$p" -sample s -out "$work/out_$p" >>"$work/exomir_$p.txt"
  done
done
gz=$(cut -d' ' -f1 "$work/gzip.txt" | median)
gzc=$(cut -d' ' -f3 "$work/gzip.txt" | median)
echo "gzip -dc            runs: $(cut -d' ' -f1 "$work/gzip.txt" | tr '\n' ' ') median ${gz}s wall, ${gzc}s CPU"
for p in $PROTOCOLS; do
  m=$(cut -d' ' -f1 "$work/exomir_$p.txt" | median)
  rss=$(cut -d' ' -f2 "$work/exomir_$p.txt" | sort -g | tail -1)
  mc=$(cut -d' ' -f3 "$work/exomir_$p.txt" | median)
  echo "exomir -protocol $p runs: $(cut -d' ' -f1 "$work/exomir_$p.txt" | tr '\n' ' ') median ${m}s wall, ${mc}s CPU; ratio to gzip -dc $(echo "scale=3; $m/$gz" | bc)x wall, $(echo "scale=3; $mc/$gzc" | bc)x CPU; peak RSS $((rss/1024)) MB"
  eval "ex_$p=$m; exc_$p=$mc"
done

if [[ $PEER_RUNS -gt 0 ]]; then
  : >"$work/peer.txt"; : >"$work/gzip_peer.txt"
  for i in $(seq "$PEER_RUNS"); do
    t gzip -dc "$FASTQ" >>"$work/gzip_peer.txt"
    rm -rf "$work/peer"
    # the bowtie index is cached across runs (INDEX_CACHE), as nf-core would
    INDEX_CACHE="$work/peer_index" SPECIES=hsa t "$PIPE" "$FASTQ" TGGAATTCTCGGGTGCCAAGG "$MATURE" "$HAIRPIN" "$work/peer" >>"$work/peer.txt"
  done
  pm=$(cut -d' ' -f1 "$work/peer.txt" | median)
  pmc=$(cut -d' ' -f3 "$work/peer.txt" | median)
  gzp=$(cut -d' ' -f1 "$work/gzip_peer.txt" | median)
  echo "mirna_pipeline.sh   runs: $(cut -d' ' -f1 "$work/peer.txt" | tr '\n' ' ') median ${pm}s wall, ${pmc}s CPU; peak RSS $(( $(cut -d' ' -f2 "$work/peer.txt" | sort -g | tail -1) / 1024 )) MB (largest single process); gzip -dc in these rounds: median ${gzp}s"
  for p in $PROTOCOLS; do
    m=$(eval echo "\$ex_$p"); mc=$(eval echo "\$exc_$p")
    # pipeline/exomir, with the pipeline normalised by the gzip time of its own rounds
    echo "pipeline / exomir -protocol $p: $(echo "scale=1; ($pm/$gzp)/($m/$gz)" | bc)x wall (gzip-normalised), $(echo "scale=1; $pm/$m" | bc)x raw wall, $(echo "scale=1; $pmc/$mc" | bc)x CPU"
  done
fi
