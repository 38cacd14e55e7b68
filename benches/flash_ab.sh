#!/usr/bin/env bash
# Two skiff builds side by side on one flash case: the runs alternate (A, B, A, B, ...), so a
# disk or host that speeds up or slows down over the minutes affects both alike. Prints the
# medians of the whole command and of its write and verify phases (from the JSON events).
#
# Usage: benches/flash_ab.sh A B RUNS SOURCE [flash options...]
#   A, B     two skiff binaries (e.g. a build of the commit before a change, and after it)
#   RUNS     runs of each
#   SOURCE   the image to write; the options follow (--bmap FILE, --no-verify, ...)
#   BENCH_DIR where the target file goes (default target/bench-flash, as benches/flash.sh)
# Example, after benches/flash.sh made its images:
#   benches/flash_ab.sh target/skiff-before target/release/skiff 9 \
#       target/bench-flash/raw-256.img
set -euo pipefail

if [ $# -lt 4 ]; then
    sed -n '2,13p' "$0" >&2
    exit 2
fi
A=$1 B=$2 RUNS=$3
shift 3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$ROOT/target/bench-flash}
mkdir -p "$DIR"
OUT=$DIR/ab-out.img
trap 'rm -f "$OUT" "$DIR/ab-events"' EXIT

now() { date +%s.%N; }
phase_secs() { # phase: seconds from its phase_done event, 0 when the run had none
    local s
    s=$(grep "\"phase\":\"$1\"" "$DIR/ab-events" | grep phase_done | sed 's/.*"secs":\([0-9.e+-]*\).*/\1/')
    echo "${s:-0}"
}
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.4f", m}'; }

declare -A TOTAL WRITE VERIFY
for ((r = 1; r <= RUNS; r++)); do
    for which in A B; do
        bin=${!which}
        rm -f "$OUT"
        t0=$(now)
        "$bin" flash --raw "$@" --to "$OUT" --json > "$DIR/ab-events"
        t1=$(now)
        TOTAL[$which]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}') "
        WRITE[$which]+="$(phase_secs write) "
        VERIFY[$which]+="$(phase_secs verify) "
    done
done
med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
echo "flash side by side: $RUNS alternating runs each, medians; flash --raw $* to $OUT"
echo "load average (1 min) at the end: $(cut -d' ' -f1 /proc/loadavg)"
for which in A B; do
    printf "%s %-40s total %s s  write %s s  verify %s s\n" "$which" "${!which}" \
        "$(med "${TOTAL[$which]}")" "$(med "${WRITE[$which]}")" "$(med "${VERIFY[$which]}")"
done
