#!/usr/bin/env bash
# Checks that two exomir builds write byte-identical `quant` outputs: runs
# `exomir quant` of OLD and NEW on each FASTQ given (default: the repo's
# testdata FASTQ files) with -threads 1 and -threads 2, and compares every
# output file. Used to check speed work, which must not change a byte.
#
# Usage: bench/quant_same.sh OLD_EXOMIR NEW_EXOMIR [FASTQ...]
# Env:   QUANT_FLAGS (extra quant flags for both, e.g. "-umi")
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_EXOMIR NEW_EXOMIR [FASTQ...]" >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
shift 2
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(testdata/fastq/*.fq.gz testdata/sim/*.fastq.gz testdata/demo/tumor1.fastq.gz)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for f in "${files[@]}"; do
	flags=${QUANT_FLAGS:-}
	for th in 1 2; do
		# shellcheck disable=SC2086 # flags are words
		"$old" quant -fastq "$f" -sample s -out "$tmp/old" -threads "$th" $flags >/dev/null 2>"$tmp/old.err" || { cat "$tmp/old.err" >&2; exit 1; }
		# shellcheck disable=SC2086
		"$new" quant -fastq "$f" -sample s -out "$tmp/new" -threads "$th" $flags >/dev/null 2>"$tmp/new.err" || { cat "$tmp/new.err" >&2; exit 1; }
		if diff -r "$tmp/old" "$tmp/new" >/dev/null && cmp -s "$tmp/old.err" "$tmp/new.err"; then
			echo "same     $f -threads $th ($(ls "$tmp/new" | wc -l) files)"
		else
			echo "DIFFERENT $f -threads $th" && diff -rq "$tmp/old" "$tmp/new" || true
			status=1
		fi
		rm -rf "$tmp/old" "$tmp/new"
	done
done
exit $status
