#!/usr/bin/env bash
# CPU seconds (user+sys) of `exomir quant` of two builds against
# `gzip -dc` on the diversity grid's files (bench/diversity_grid.sh makes
# them in bench/out/grid), for speed work on a shared machine where wall
# time says little: per file, RUNS interleaved runs of gzip -dc, OLD and
# NEW quant (default settings), the medians, their ratios to gzip -dc's
# median, the median wall seconds and the peak RSS (MB, largest over the
# runs); and whether OLD and NEW wrote byte-identical outputs.
#
# Usage: bench/quant_cpu.sh OLD_EXOMIR NEW_EXOMIR [RUNS]   (RUNS default 3)
# Env:   POINTS (grid rows to run, default "d05 d10 d20 d30")
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_EXOMIR NEW_EXOMIR [RUNS]" >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
RUNS=${3:-3}
. "$(dirname "$0")/lib.sh"
cd "$BENCH_REPO"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# t NAME CMD...: one run; appends "wall cpu rssKB" to $tmp/NAME
t() {
	local name=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time1" "$@" >/dev/null 2>"$tmp/err1" || { cat "$tmp/err1" >&2; exit 1; }
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$tmp/time1" >>"$tmp/$name"
}
med() { awk -v c="$1" '{print $c}' "$tmp/$2" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rss() { awk '$3>m{m=$3} END{printf "%d", m/1024}' "$tmp/$1"; }
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(bench_load); runs $RUNS; old $old; new $new"
printf '%-4s | %6s | %6s %6s %6s %5s | %6s %6s %6s %5s | %s\n' point gzcpu oldcpu /gzip wall MB newcpu /gzip wall MB outputs
for p in ${POINTS:-d05 d10 d20 d30}; do
	F=$(ls bench/out/grid/"$p"-*/tumor1.fastq.gz 2>/dev/null | head -1)
	[ -n "$F" ] || { echo "$p: no grid file (run bench/diversity_grid.sh)" >&2; continue; }
	: >"$tmp/gz"; : >"$tmp/old"; : >"$tmp/new"
	for _ in $(seq "$RUNS"); do
		t gz sh -c "gzip -dc '$F' >/dev/null"
		rm -rf "$tmp/qo"
		t old "$old" quant -fastq "$F" -sample s -out "$tmp/qo"
		rm -rf "$tmp/qn"
		t new "$new" quant -fastq "$F" -sample s -out "$tmp/qn"
	done
	same=DIFFERENT
	diff -r "$tmp/qo" "$tmp/qn" >/dev/null && same=identical
	g=$(med 2 gz)
	r() { echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }
	printf '%-4s | %6s | %6s %6s %6s %5s | %6s %6s %6s %5s | %s\n' "$p" "$g" \
		"$(med 2 old)" "$(r "$(med 2 old)" "$g")" "$(med 1 old)" "$(rss old)" \
		"$(med 2 new)" "$(r "$(med 2 new)" "$g")" "$(med 1 new)" "$(rss new)" "$same"
done
echo "# cpu = median user+sys s; /gzip = ratio of CPU medians; wall = median wall s; MB = peak RSS; load after: $(bench_load)"
