#!/usr/bin/env bash
# Batch benchmark: one .xz image of compressible data onto eight image files on a tmpfs (so
# the disk is not the limit and decoding is the dominant cost, as with a hub of real cards),
# side by side with the same image onto one target and with eight `skiff flash` processes.
#
# Usage: sudo benches/batch.sh [RUNS] [SIZE_MIB]
#   RUNS      repetitions per case (default 5)
#   SIZE_MIB  image size (default 256)
#   BENCH_DIR where the source image is made and kept (default target/bench-batch)
#   SKIFF     skiff binary (default: target/release/skiff, rebuilt first so it is never stale)
#
# Needs root to mount the tmpfs (unmounted on exit), xz and GNU time (/usr/bin/time).
#
# Cases (wall time of the whole command, medians):
#   one       skiff batch IMAGE.xz --to T1                      (one target alone)
#   batch8    skiff batch IMAGE.xz --to T1 ... --to T8          (one decode, eight pipelines)
#   flash8    eight `skiff flash IMAGE.xz --to Ti` processes at once (eight decodes)
# Targets: batch8 <= 1.5x one; flash8 / batch8 >= 3x; peak memory of batch8 < 128 MiB
# (max RSS from /usr/bin/time -v, the largest over the runs).
set -euo pipefail

RUNS=${1:-5}
SIZE_MIB=${2:-256}
CARDS=8
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$ROOT/target/bench-batch}
mkdir -p "$DIR"
if [ "$(id -u)" -ne 0 ]; then
    echo "batch.sh mounts a tmpfs: run it as root" >&2
    exit 1
fi
if [ -z "${SKIFF:-}" ]; then
    (cd "$ROOT" && cargo build --release --bin skiff)
    SKIFF=$ROOT/target/release/skiff
fi

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f\n", b-a}'; }

# Compressible data: program and library bytes, repeated up to the size, xz-compressed once.
IMG=$DIR/raw-$SIZE_MIB.img
XZ=$IMG.xz
if [ ! -f "$XZ" ]; then
    echo "making a ${SIZE_MIB} MiB image from /usr/bin and /usr/lib ..." >&2
    rm -f "$IMG"
    while [ ! -f "$IMG" ] || [ "$(stat -c %s "$IMG")" -lt $((SIZE_MIB << 20)) ]; do
        find /usr/bin /usr/lib -type f -size +64k 2>/dev/null | head -n 400 | xargs cat >> "$IMG" 2>/dev/null || true
    done
    truncate -s $((SIZE_MIB << 20)) "$IMG"
    xz -6 -T0 -k -f "$IMG"
    rm -f "$IMG"
fi

MNT=$(mktemp -d "$DIR/tmpfs.XXXXXX")
cleanup() {
    umount "$MNT" 2> /dev/null || true
    rmdir "$MNT" 2> /dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o size=$(((CARDS + 2) * SIZE_MIB + 64))m tmpfs "$MNT"
WORK=$MNT/work
mkdir -p "$WORK"

targets() { # N: --to arguments for N targets
    local i
    for ((i = 1; i <= $1; i++)); do printf -- '--to\n%s\n' "$MNT/t$i.img"; done
}
clear_targets() { rm -f "$MNT"/t*.img "$MNT"/.t*.img.skiff-partial-*; }

# --raw: the bench image is program bytes, not a card image (no partition table).
batch() { # N: one batch run onto N targets; prints seconds, max RSS (KiB) to $DIR/rss
    clear_targets
    mapfile -t args < <(targets "$1")
    local t0
    t0=$(now)
    /usr/bin/time -v -o "$DIR/time" "$SKIFF" batch --raw "$XZ" "${args[@]}" --work-dir "$WORK" \
        --json > "$DIR/events"
    since "$t0"
    awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time" >> "$DIR/rss"
    grep -q '"event":"summary".*"exit_code":0' "$DIR/events" || {
        echo "batch run failed: $(tail -n1 "$DIR/events")" >&2
        exit 1
    }
}

flash8() { # eight flash processes side by side; prints seconds
    clear_targets
    local t0 i pids=()
    t0=$(now)
    for ((i = 1; i <= CARDS; i++)); do
        "$SKIFF" flash --raw "$XZ" --to "$MNT/t$i.img" --json > "$DIR/flash$i.events" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    since "$t0"
}

LOAD_BEFORE=$(uptime)
: > "$DIR/rss"
declare -A T
for ((r = 1; r <= RUNS; r++)); do
    echo "run $r/$RUNS" >&2
    T[one]+="$(batch 1) "
    T[batch8]+="$(batch $CARDS) "
    T[flash8]+="$(flash8) "
done
LOAD_AFTER=$(uptime)
clear_targets

med() { echo "${T[$1]}" | tr ' ' '\n' | grep -v '^$' | median; }
ONE=$(med one)
B8=$(med batch8)
F8=$(med flash8)
PEAK_KB=$(sort -g "$DIR/rss" | tail -n1)
echo
echo "batch benchmark: ${SIZE_MIB} MiB image ($(stat -c %s "$XZ") bytes of xz), $CARDS targets on a tmpfs, $RUNS runs, medians"
echo "skiff: $SKIFF ($("$SKIFF" --version 2>/dev/null || echo '?')), $(nproc) CPUs"
echo "load before: $LOAD_BEFORE"
echo "load after:  $LOAD_AFTER"
printf "%-40s %8.3f s\n" "one target (skiff batch --to 1)" "$ONE"
printf "%-40s %8.3f s   %.2fx one target (target <= 1.5x)\n" "eight targets (skiff batch --to x8)" "$B8" \
    "$(awk -v a="$B8" -v b="$ONE" 'BEGIN {print a/b}')"
printf "%-40s %8.3f s   batch is %.2fx faster (target >= 3x)\n" "eight skiff flash processes at once" "$F8" \
    "$(awk -v a="$F8" -v b="$B8" 'BEGIN {print a/b}')"
echo "peak memory of skiff batch: $((PEAK_KB / 1024)) MiB max RSS (target < 128 MiB; largest over all batch runs)"
