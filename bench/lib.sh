# shellcheck shell=sh
# The opening steps the bench scripts share (POSIX sh, so that both the
# bash and the sh scripts can source it), sourced before any cd with
#   . "$(dirname "$0")/lib.sh"
# It sets BENCH_REPO (the repository root) and SHARED (the project's shared
# folder: $SHARED if set, else ../shared next to the repository).
BENCH_REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$BENCH_REPO/.." && pwd)/shared}

# bench_workdir NAME [DIR]: prints DIR, else a new temporary folder
# NAME.XXXXXX, after making its bin/ subfolder.
bench_workdir() {
  _w=${2:-$(mktemp -d -t "$1.XXXXXX")}
  mkdir -p "$_w/bin"
  echo "$_w"
}

# bench_build DIR PKG...: builds each package (examples/exomir, bench/score,
# relative to the current folder) to DIR/<its last path element>.
bench_build() {
  _d=$1
  shift
  for _p in "$@"; do
    go build -o "$_d/${_p##*/}" "./$_p" || return
  done
}

# bench_peer_setup: for the scripts that run the R peers from the
# repository root: P (PEERS, else $SHARED/peers), W (WORK, kept; else a
# temporary folder removed at exit) and EXOMIR (built into W unless set).
bench_peer_setup() {
  P=${PEERS:-$SHARED/peers}
  if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"
    W=$WORK
  else
    W=$(mktemp -d)
    trap 'rm -rf "$W"' EXIT
  fi
  if [ -z "${EXOMIR:-}" ]; then
    EXOMIR=$W/exomir
    go build -o "$EXOMIR" ./examples/exomir
  fi
}

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# bench_load: the machine's load averages (1, 5 and 15 minutes).
bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

# bench_need CMD HINT: exits with HINT on stderr when CMD is not installed.
bench_need() { command -v "$1" >/dev/null || { echo "$2" >&2; exit 1; }; }
