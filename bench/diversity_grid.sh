#!/usr/bin/env bash
# Speed of `exomir collapse` and `exomir quant` on libraries of rising
# diversity (issue #8): 2M-read 50-nt TruSeq FASTQ.gz files from the
# project's simulator whose distinct inserts are about 5%, 10%, 20% and 30%
# of the reads. For each file: wall and CPU (user+sys) seconds, medians of
# RUNS interleaved runs, of `gzip -dc F >/dev/null`,
# `libdeflate-gunzip -c F >/dev/null`, `exomir collapse -in F` and
# `exomir quant -fastq F -sample s -out D` (default settings), the ratios
# of the medians to gzip -dc and libdeflate-gunzip, and peak RSS (largest
# over the runs, /usr/bin/time %M). It also prints each file's measured
# distinct fraction (distinct_inserts / input_reads of collapse's summary),
# so that the grid table below can be recalibrated.
#
# Usage: bench/diversity_grid.sh [RUNS]     (from anywhere; RUNS default 5)
# Env:   READS (2000000), POINTS (names of the grid rows to run; default all),
#        EXOMIR (an exomir binary to measure instead of building this tree's,
#        e.g. an older build for before/after figures), SIMULATE (a simulator
#        binary instead of building examples/simulate), ROWS (rows replacing
#        the table, separated by ';', to try a calibration without editing)
# Needs: go, gzip, libdeflate-gunzip (Debian libdeflate-tools),
#        /usr/bin/time and bc (Debian time, bc).
# Files are made deterministically (fixed seeds) and cached in
# bench/out/grid/ (git-ignored); a changed row or READS makes a new file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$BENCH_REPO"
RUNS=${1:-5}
READS=${READS:-2000000}
OUT=bench/out/grid
mkdir -p "$OUT/bin"

# ---------------------------------------------------------------------------
# GRID TABLE: name | seed | simulator flags (added to
#   simulate -kit truseq -tumor 1 -control 0 -reads $READS -seed SEED)
# The diversity knobs are the substitution rate along the read (-err-start
# at the first cycle rising to -err-end at the last, -err-shape the
# exponent of the rise) and N calls (-n-rate, per base). d05 is a realistic
# profile (errors 0.1% rising steeply to 0.5%, as in ../shared's real
# TruSeq files); the others raise the error rate over the whole read until
# the distinct fraction reaches the target, measured on 2M reads (seed 13):
# d05 6.7%, d10 ~10%, d20 19.7%, d30 ~30%.
GRID=(
	"d05 | 11 | -err-start 0.001 -err-end 0.005 -err-shape 4 -n-rate 0.0005"
	"d10 | 12 | -err-start 0.004 -err-end 0.009 -n-rate 0.0005"
	"d20 | 13 | -err-start 0.02 -err-end 0.025 -n-rate 0.0005"
	"d30 | 14 | -err-start 0.04 -err-end 0.045 -n-rate 0.0005"
)
# ---------------------------------------------------------------------------
if [ -n "${ROWS:-}" ]; then
	IFS=';' read -r -a GRID <<<"$ROWS"
fi

bench_need libdeflate-gunzip "libdeflate-gunzip missing: apt-get install -y libdeflate-tools"
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }
bench_need bc "bc missing: apt-get install -y bc"
SIM=${SIMULATE:-$OUT/bin/simulate}
[ -n "${SIMULATE:-}" ] || go build -o "$SIM" ./examples/simulate
EX=${EXOMIR:-$OUT/bin/exomir}
[ -n "${EXOMIR:-}" ] || go build -o "$EX" ./examples/exomir

# t NAME CMD...: one run; appends "wall cpu rss_kb" to $OUT/NAME.t
t() {
	local name=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$OUT/time1" "$@" >/dev/null 2>"$OUT/stderr1" ||
		{ cat "$OUT/stderr1" >&2; exit 1; }
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$OUT/time1" >>"$OUT/$name.t"
}
med() { awk -v c="$1" '{print $c}' "$OUT/$2.t" | median; }
maxrss() { awk '$3>m{m=$3} END{printf "%d", m/1024}' "$OUT/$1.t"; }
ratio() { echo "scale=3; $1 / $2" | bc | sed 's/^\./0./'; }

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(bench_load); runs $RUNS; reads $READS; exomir $EX"
printf '%-4s %-20s %8s | %6s %6s | %6s %6s %6s %6s %5s | %6s %6s %6s %6s %5s\n' \
	point flags distinct gzip libdef coll /gzip /libd cpu MB quant /gzip /libd cpu MB
for row in "${GRID[@]}"; do
	name=$(echo "$row" | cut -d'|' -f1 | xargs)
	seed=$(echo "$row" | cut -d'|' -f2 | xargs)
	flags=$(echo "$row" | cut -d'|' -f3 | xargs)
	if [ -n "${POINTS:-}" ] && ! echo " $POINTS " | grep -q " $name "; then
		continue
	fi
	id=$(echo "$seed $flags $READS ${SIMULATE:-}" | md5sum | cut -c1-8)
	dir=$OUT/$name-$id
	F=$dir/tumor1.fastq.gz
	if [ ! -s "$F" ]; then
		echo "# simulating $name: -seed $seed $flags" >&2
		# shellcheck disable=SC2086 # flags are words
		rm -rf "$dir.tmp"
		"$SIM" -out "$dir.tmp" -kit truseq -tumor 1 -control 0 -reads "$READS" -seed "$seed" $flags >/dev/null
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	for k in gzip libd coll quant; do : >"$OUT/$k.t"; done
	for i in $(seq "$RUNS"); do
		t gzip sh -c "gzip -dc '$F' > /dev/null"
		t libd sh -c "libdeflate-gunzip -c '$F' > /dev/null"
		t coll "$EX" collapse -in "$F" -out "$OUT/c"
		rm -rf "$OUT/q"
		t quant "$EX" quant -fastq "$F" -sample s -out "$OUT/q"
	done
	frac=$(awk '$1=="input_reads"{n=$2} $1=="distinct_inserts"{d=$2} END{printf "%.4f", d/n}' "$OUT/c.summary.tsv")
	g=$(med 1 gzip); l=$(med 1 libd); c=$(med 1 coll); q=$(med 1 quant)
	printf '%-4s %-20s %8s | %6s %6s | %6s %6s %6s %6s %5s | %6s %6s %6s %6s %5s\n' \
		"$name" "$flags" "$frac" "$g" "$l" \
		"$c" "$(ratio "$c" "$g")" "$(ratio "$c" "$l")" "$(med 2 coll)" "$(maxrss coll)" \
		"$q" "$(ratio "$q" "$g")" "$(ratio "$q" "$l")" "$(med 2 quant)" "$(maxrss quant)"
	for k in gzip libd coll quant; do
		echo "#   $name $k runs (wall cpu rssKB): $(tr '\n' ';' <"$OUT/$k.t")" >&2
	done
done
echo "# wall s = median of $RUNS; /gzip, /libd = wall ratio of medians; cpu = median user+sys s; MB = peak RSS"
echo "# targets: collapse <= 0.7x and quant <= 0.9x gzip -dc at 5-20% distinct, <= 1.0x at 30%; RSS <= 300 MB at 30%"
echo "# load after: $(bench_load)"
