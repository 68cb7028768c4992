#!/usr/bin/env bash
# Issue #11 targets for the exogenous miRNA search and the A-to-I editing
# scan, on simulated TruSeq libraries of known origin:
#   - exogenous miRNA counts within 2% of truth: per-miRNA
#     |count − truth| / truth and L1 = Σ|count − truth| / Σ truth over the
#     simulated non-human miRNAs (9 by default: EBV, KSHV, HCMV, nematode,
#     plant, insect, mouse), and the clade rows against the truth per clade;
#   - human miRNA L1 unchanged by the search (bench/score l1, on and off);
#   - editing levels within ±0.03 of the truth (edited / covering reads of
#     the simulated molecules) at sites with coverage >= 500;
#   - quant speed with the search on and off, as the ratio of wall-clock
#     medians to `gzip -dc` of the same file (RUNS interleaved runs).
#
# usage: bench/exogenous_accuracy.sh [workdir]     (from anywhere)
# env:   READS (1000000 per sample), SEED (7), RUNS (3), EXO (0.02: share of
#        exogenous molecules), EDITING (simulator -editing sites)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
repo=$BENCH_REPO
work=$(bench_workdir exogenous_accuracy "${1:-}")
READS=${READS:-1000000}
SEED=${SEED:-7}
RUNS=${RUNS:-3}
EXO=${EXO:-0.02}
EDITING=${EDITING:-hsa-miR-376a-3p:6:0.5,hsa-miR-376c-3p:6:0.1,hsa-miR-411-5p:5:0.3}

cd "$repo"
bench_build "$work/bin" examples/simulate examples/exomir bench/score
echo "# workdir $work; $READS reads per sample, seed $SEED, exogenous share $EXO; $(date -u +%FT%TZ); $(nproc) CPUs, load $(bench_load)"

sim=$work/sim
[ -f "$sim/truth_exogenous_reads.tsv" ] ||
	"$work/bin/simulate" -out "$sim" -kit truseq -tumor 1 -control 1 -reads "$READS" -seed "$SEED" \
		-err-start 0.001 -err-end 0.005 -err-shape 4 -exogenous "$EXO" -editing "$EDITING" >/dev/null
for s in tumor1 control1; do
	"$work/bin/exomir" quant -fastq "$sim/$s.fastq.gz" -protocol truseq -out "$work/on" >/dev/null 2>"$work/$s.on.err"
	"$work/bin/exomir" quant -fastq "$sim/$s.fastq.gz" -protocol truseq -exogenous=false -out "$work/off" >/dev/null 2>"$work/$s.off.err"
done

echo "## exogenous miRNA counts (per sample: miRNA, truth, count, relative error)"
for s in tumor1 control1; do
	col=$(head -1 "$sim/truth_exogenous_reads.tsv" | tr '\t' '\n' | grep -nx "$s" | cut -d: -f1)
	awk -F'\t' -v col="$col" -v s="$s" '
		FNR == 1 { next }
		NR == FNR { truth[$1] = $col; order[++n] = $1; next }
		{ got[$1] = $3 }
		END {
			for (i = 1; i <= n; i++) {
				m = order[i]; c = got[m] + 0; t = truth[m]
				d = c - t; if (d < 0) d = -d
				sum += d; tot += t
				printf "%s\t%.60s\t%d\t%d\t%+.2f%%\n", s, m, t, c, 100 * (c - t) / t
			}
			printf "%s\tL1 over %d exogenous miRNAs\t%d\t\t%.2f%%\n", s, n, tot, 100 * sum / tot
		}' "$sim/truth_exogenous_reads.tsv" "$work/on/$s.exogenous_counts.tsv"
done

echo "## clade rows (exogenous search on) against the simulated clades"
for s in tumor1 control1; do
	grep -E '^(clade_|reads_exogenous_mirna|reads_unmapped|human_viral)' "$work/on/$s.summary.tsv" | tr '\n' ' ' | sed "s/^/$s: /"
	echo
done

echo "## human miRNA L1 against truth, exogenous search on / off"
mature=$work/mature.fa
awk -F'\t' 'NR > 1 { print ">" $1; print $4 }' "$sim/truth_features.tsv" >"$mature"
for s in tumor1 control1; do
	for mode in on off; do
		"$work/bin/score" l1 -mature "$mature" -truth "$sim/truth_mirna_reads.tsv" -column "$s" -label "${s}_$mode" "$work/$mode/$s.mirna_counts.tsv" | awk "NR == 1"
	done
done

echo "## editing (truth rows with covering >= 500): site, sample, truth level, exomir level, difference"
for s in tumor1 control1; do
	awk -F'\t' -v s="$s" '
		NR == FNR { if (FNR > 1) got[$1 FS $2] = $6 FS $5 FS $7; next }
		FNR > 1 && $3 == s && $5 >= 500 {
			k = $1 FS $2
			if (!(k in got)) { printf "%s:%s\t%s\ttruth %.4f (%d reads)\tnot called\n", $1, $2, s, $6, $5; next }
			split(got[k], g, FS)
			printf "%s:%s\t%s\ttruth %.4f (%d reads)\texomir %.4f (%d reads, padj %s)\tdiff %+.4f\n", $1, $2, s, $6, $5, g[1], g[2], g[3], g[1] - $6
		}' "$work/on/$s.editing.tsv" "$sim/truth_editing.tsv"
done

echo "## quant speed (tumor1, $RUNS interleaved runs; medians of wall and CPU = user+sys seconds): gzip -dc, quant -exogenous=false, quant (search on)"
f=$sim/tumor1.fastq.gz
: >"$work/t.gzip"; : >"$work/t.off"; : >"$work/t.on"
tm() { local o=$1; shift; /usr/bin/time -f '%e %U %S' -o "$work/t1" "$@" >/dev/null 2>&1; awk '{print $1, $2 + $3}' "$work/t1" >>"$o"; }
for r in $(seq "$RUNS"); do
	tm "$work/t.gzip" gzip -dc "$f"
	tm "$work/t.off" "$work/bin/exomir" quant -fastq "$f" -protocol truseq -exogenous=false -out "$work/speed_off"
	tm "$work/t.on" "$work/bin/exomir" quant -fastq "$f" -protocol truseq -out "$work/speed_on"
done
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for c in 1 2; do
	g=$(median "$work/t.gzip" $c); off=$(median "$work/t.off" $c); on=$(median "$work/t.on" $c)
	awk -v what="$([ $c = 1 ] && echo wall || echo CPU)" -v g="$g" -v off="$off" -v on="$on" 'BEGIN { printf "%s: gzip -dc %.2f s; quant off %.2f s (%.2fx gzip); quant on %.2f s (%.2fx gzip); on/off %.3f\n", what, g, off, off / g, on, on / g, on / off }'
done
grep -E '^(distinct_inserts|reads_unmapped|reads_exogenous_mirna)' "$work/speed_on/tumor1.summary.tsv" | tr '\n' ' '
echo
