#!/usr/bin/env bash
# Runs every fuzz target of the repository (every "func FuzzX(f *testing.F)"
# in a _test.go file) for BUDGET seconds each, minimisation capped at
# MINTIME (go test -fuzzminimizetime, default 100x: 100 runs) so the budget
# is spent fuzzing: Go minimises every new interesting input too, and with
# a time cap targets of ~0.2 ms a run spent 90% of it minimising (BAM
# records: 74 runs in 30 s at 5s, 73,660 in 15 s at 100x). Prints one line per
# target: "ok" with the executions done, or "FAILED" with where the crasher
# was saved (PKG/testdata/fuzz/FuzzX/ID, replayed by every later
# "go test") or the log to read. Exits 1 on any finding.
#
# Usage: [PARALLEL=N] [MINTIME=100x] bench/fuzz.sh [BUDGET]   (from anywhere)
#   BUDGET    seconds per target, default 60
#   PARALLEL  fuzzing workers per target (go test -parallel); unset = Go's
#             default (GOMAXPROCS). On a shared machine use PARALLEL=1.
# Logs go to bench/out/fuzz/ (ignored by git).
#
# Go 1.26's fuzz coordinator can end a duration-limited run with a bare
# "context deadline exceeded" and no crasher (golang/go#75804, fixed in Go
# 1.27). Such a run counts as ok only when no input was written and the
# target's seed corpus then replays cleanly; the line says so.
set -uo pipefail
cd "$(dirname "$0")/.."
BUDGET=${1:-60}
MINTIME=${MINTIME:-100x}
OUT=bench/out/fuzz
mkdir -p "$OUT"
par=()
if [ -n "${PARALLEL:-}" ]; then
	par=(-parallel "$PARALLEL")
fi

# package dir <TAB> target, sorted, from the test sources
targets=$(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	sed -E 's#^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1\t\2#' | sort -u)
if [ -z "$targets" ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi

n=0
failed=0
while IFS=$'\t' read -r dir name; do
	n=$((n + 1))
	log="$OUT/$name.log"
	start=$(date +%s)
	go test "./$dir" -run '^$' -fuzz "^$name\$" -fuzztime "${BUDGET}s" \
		-fuzzminimizetime "$MINTIME" -timeout "$((BUDGET + 600))s" "${par[@]}" > "$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	saved=$(grep -oE 'Failing input written to [^ ]+' "$log" | head -1 | sed 's/Failing input written to //')
	if [ "$rc" -eq 0 ]; then
		printf 'ok      %-22s %-28s %ss, %s execs\n' "$dir" "$name" "$took" "${execs:-?}"
	elif [ -n "$saved" ]; then
		failed=$((failed + 1))
		printf 'FAILED  %-22s %-28s crasher saved to %s/%s (log %s)\n' "$dir" "$name" "$dir" "$saved" "$log"
	elif grep -q 'context deadline exceeded' "$log" && [ "$(grep -c -- '--- FAIL' "$log")" -eq 1 ] &&
		go test "./$dir" -run "^$name\$" -count=1 >> "$log" 2>&1; then
		printf 'ok      %-22s %-28s %ss, %s execs (Go fuzz deadline race golang/go#75804: no crasher, seeds replay)\n' "$dir" "$name" "$took" "${execs:-?}"
	else
		failed=$((failed + 1))
		printf 'FAILED  %-22s %-28s exit %s, no crasher written (log %s)\n' "$dir" "$name" "$rc" "$log"
	fi
done <<< "$targets"

echo "$n targets, $failed failed, ${BUDGET}s each${PARALLEL:+, parallel $PARALLEL}"
[ "$failed" -eq 0 ]
