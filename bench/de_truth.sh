#!/bin/sh
# Accuracy against simulated truth: FDR and power at padj < 0.1 for
# exomir de (deseq2 and edger methods) and DESeq2 1.38.3 / edgeR 3.40.2 on
# the same matrices (../shared/peers/simulate_counts.R: NB counts, 10% of
# features 4x up or down in tumor).
#
# usage: sh bench/de_truth.sh [seeds="1 2 3"]      (from the repository root)
#   env: EXOMIR=path/to/exomir (default: go build ./examples/exomir)
#        PEERS=dir of the peer scripts (default ../shared/peers next to the repository)
#        WORK=tmpdir (kept if given)
#        SHAPES="2600:3 2600:5 2600:10"  (features:replicates per group)
#
# Output: one row per (matrix, seed, tool) and a pooled summary per tool:
# called, true positives, false positives, FDR = FP/called,
# power = TP/#truly DE.  Target: exomir FDR <= 0.1 and power >= DESeq2's.
set -eu
. "$(dirname "$0")/lib.sh"
SEEDS=${1:-"1 2 3"}
SHAPES=${SHAPES:-"2600:3 2600:5 2600:10"}
bench_peer_setup

# score TRUTH RESULTS PADJCOL -> "called tp fp nde"
score() {
  awk -F'\t' -v col="$3" '
    FNR==1 { if (FILENAME==ARGV[1]) next; for (i=1;i<=NF;i++) if ($i==col) c=i; next }
    FILENAME==ARGV[1] { de[$1]=$5; nde+=$5; next }
    { if ($c!="NA" && $c+0 < 0.1) { called++; if (de[$1]==1) tp++; else fp++ } }
    END { printf "%d\t%d\t%d\t%d\n", called, tp, fp, nde }' "$1" "$2"
}

ALL=$W/all.tsv
: > "$ALL"
printf 'matrix\tseed\ttool\tcalled\tTP\tFP\tFDR\tpower\n'
for shape in $SHAPES; do
  n=${shape%%:*}; k=${shape##*:}
  for seed in $SEEDS; do
    d=$W/${n}x$((2 * k))_s$seed
    Rscript "$P/simulate_counts.R" "$d" "$n" "$k" "$seed" 0.1 4 >/dev/null
    Rscript "$P/deseq2.R" "$d/counts.tsv" "$d/coldata.tsv" "$d/deseq2.tsv" 2>/dev/null
    Rscript "$P/edger.R" "$d/counts.tsv" "$d/coldata.tsv" "$d/edger.tsv" 2>/dev/null
    "$EXOMIR" de -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" -contrast condition,tumor,control -out "$d/exomir.tsv"
    "$EXOMIR" de -method edger -counts "$d/counts.tsv" -coldata "$d/coldata.tsv" -contrast condition,tumor,control -out "$d/exomir_edger.tsv"
    for t in "DESeq2:deseq2.tsv:padj" "exomir-deseq2:exomir.tsv:padj" "edgeR-exact:edger.tsv:FDR" "exomir-edger:exomir_edger.tsv:padj"; do
      tool=${t%%:*}; rest=${t#*:}; file=${rest%%:*}; col=${rest#*:}
      s=$(score "$d/truth.tsv" "$d/$file" "$col")
      echo "$tool	$s" >> "$ALL"
      echo "$s" | awk -F'\t' -v m="${n}x$((2 * k))" -v seed="$seed" -v tool="$tool" \
        '{ printf "%s\t%s\t%s\t%d\t%d\t%d\t%.4f\t%.4f\n", m, seed, tool, $1, $2, $3, ($1 ? $3/$1 : 0), $2/$4 }'
    done
  done
done
echo "pooled over all matrices and seeds:"
printf 'tool\tcalled\tTP\tFP\tFDR\tpower\n'
for tool in DESeq2 exomir-deseq2 edgeR-exact exomir-edger; do
  awk -F'\t' -v tool="$tool" '$1==tool { c+=$2; tp+=$3; fp+=$4; nde+=$5 }
    END { printf "%s\t%d\t%d\t%d\t%.4f\t%.4f\n", tool, c, tp, fp, (c ? fp/c : 0), tp/nde }' "$ALL"
done
