#!/usr/bin/env bash
# Flash engine benchmark: skiff against dd (and bmaptool when installed) on the same file
# system, side by side, each case repeated and reported as the median.
#
# Usage: benches/flash.sh [RUNS] [SIZE_MIB]
#   RUNS      repetitions per case (default 5)
#   SIZE_MIB  image size (default 1024)
#   BENCH_DIR work directory (default target/bench-flash, on the file system under test)
#   SKIFF     skiff binary (default: target/release/skiff, rebuilt first so it is never stale)
#
# Cases:
#   raw-write      skiff flash --no-verify        vs  dd bs=4M oflag=direct conv=fsync
#   raw-verify     skiff verify phase (JSON rate) vs  dd bs=4M iflag=direct of=/dev/null
#   write+verify   skiff flash (verify on)        vs  dd write + dd direct read
#   zst-write      skiff flash IMAGE.zst          vs  skiff flash IMAGE (raw), both no verify,
#                                                 and vs zstd -d to /dev/null (the decoder alone);
#                                                 skiff's own decoder alone (examples/flash_decode)
#                                                 vs zstd -d, and the CPU seconds (user + system)
#                                                 of skiff and of zstd -d
#   zst-to-tmpfs   skiff flash IMAGE.zst to a file on a tmpfs (FAST_DIR, default /dev/shm), no
#                  verify, vs zstd -d to /dev/null: the decoder's cost when the target is not
#                  the bottleneck (on the disk above, the write sets the pace), and vs zstd -d
#                  into a file on the same tmpfs (what filling fresh memory costs both)
#   bmap-75%-holes skiff flash with .bmap         vs  dd of the whole image, bmaptool copy
# Peak memory (max RSS) of every skiff run is recorded; the largest is printed, and so is the
# load average before and after (`uptime`): on a shared machine, CPU time is scarce and every
# wall-clock figure moves with it.
set -euo pipefail

RUNS=${1:-5}
SIZE_MIB=${2:-1024}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$ROOT/target/bench-flash}
mkdir -p "$DIR"
if [ -z "${SKIFF:-}" ]; then
    (cd "$ROOT" && cargo build --release --bin skiff --example flash_decode)
    SKIFF=$ROOT/target/release/skiff
fi
DECODE=${DECODE:-$ROOT/target/release/examples/flash_decode}

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.1f", b/1048576/s}'; }
track_rss() { # file written by /usr/bin/time -f "%M %U %S"; runs in a subshell, so append
    tail -n1 "$1" | awk '{print $1}' >> "$DIR/rss.log"
    tail -n1 "$1" | awk '{print $2 + $3}' > "$DIR/cpu"
}
load() { cut -d' ' -f1 /proc/loadavg; }

# A realistic image: program and library bytes (compressible like a root file system),
# repeated up to the size.
IMG=$DIR/raw-$SIZE_MIB.img
if [ ! -f "$IMG" ] || [ "$(stat -c %s "$IMG")" -ne $((SIZE_MIB << 20)) ]; then
    echo "making a ${SIZE_MIB} MiB image from /usr/bin and /usr/lib ..." >&2
    rm -f "$IMG"
    while [ ! -f "$IMG" ] || [ "$(stat -c %s "$IMG")" -lt $((SIZE_MIB << 20)) ]; do
        find /usr/bin /usr/lib -type f -size +64k 2>/dev/null | head -n 400 | xargs cat >> "$IMG" 2>/dev/null || true
    done
    truncate -s $((SIZE_MIB << 20)) "$IMG"
fi
ZST=$IMG.zst
[ -f "$ZST" ] || zstd -q -3 -T0 -f "$IMG" -o "$ZST"
# 75% holes: the same bytes in every fourth 16 MiB stretch of a sparse file.
SPARSE=$DIR/sparse-$SIZE_MIB.img
if [ ! -f "$SPARSE.bmap" ]; then
    rm -f "$SPARSE"
    truncate -s $((SIZE_MIB << 20)) "$SPARSE"
    for ((i = 0; i < SIZE_MIB / 16; i += 4)); do
        dd if="$IMG" of="$SPARSE" bs=1M count=16 skip=$((i * 16)) seek=$((i * 16)) conv=notrunc status=none
    done
    if command -v bmaptool > /dev/null; then
        bmaptool create -o "$SPARSE.bmap" "$SPARSE"
    else
        echo "bmaptool is not installed: cannot make the .bmap (apt-get install bmap-tools)" >&2
        exit 1
    fi
fi
BYTES=$((SIZE_MIB << 20))
: > "$DIR/rss.log"
OUT=$DIR/out.img
# A target that is not the bottleneck, for the .zst case against the decoder alone: a file on
# a tmpfs (FAST_DIR, default /dev/shm when it is one; the case is skipped otherwise).
FAST_DIR=${FAST_DIR:-/dev/shm}
FAST_OUT=""
if [ "$(stat -f -c %T "$FAST_DIR" 2>/dev/null)" = tmpfs ] && [ -w "$FAST_DIR" ]; then
    FAST_OUT=$FAST_DIR/skiff-bench-out.$$.img
    trap 'rm -f "$FAST_OUT"' EXIT
fi
sync

run_skiff() { # args...; prints seconds, leaves JSON events in $DIR/events
    rm -f "$OUT"
    local t0 t1
    t0=$(now)
    # --raw: the bench image is program bytes, not a card image (no partition table).
    /usr/bin/time -f "%M %U %S" -o "$DIR/rss" "$SKIFF" flash --raw "$@" --to "$OUT" --json > "$DIR/events"
    t1=$(now)
    track_rss "$DIR/rss"
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b-a}'
}
run_dd_write() {
    rm -f "$OUT"
    local t0 t1
    t0=$(now)
    dd if="$1" of="$OUT" bs=4M oflag=direct conv=fsync status=none
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b-a}'
}
run_dd_read() {
    local t0 t1
    t0=$(now)
    dd if="$OUT" of=/dev/null bs=4M iflag=direct status=none
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b-a}'
}
verify_secs() { # seconds skiff's verify phase would take for the whole image, from its JSON rate
    grep '"phase":"verify"' "$DIR/events" | grep phase_done | sed 's/.*"rate":\([0-9.e+]*\).*/\1/' |
        awk -v b="$BYTES" '{printf "%.3f\n", b/$1}'
}

declare -A T
for case in skiff_raw dd_raw skiff_verify_s dd_read skiff_wv dd_wv skiff_zst skiff_zst_cpu skiff_zst_fast zstd_fast skiff_raw2 zstd_cli zstd_cpu crate_decode skiff_bmap dd_sparse bmaptool; do T[$case]=""; done
LOAD_BEFORE=$(load)
for ((r = 1; r <= RUNS; r++)); do
    echo "run $r/$RUNS" >&2
    T[dd_raw]+="$(run_dd_write "$IMG") "
    T[skiff_raw]+="$(run_skiff "$IMG" --no-verify) "
    w=$(run_skiff "$IMG")
    T[skiff_wv]+="$w "
    T[skiff_verify_s]+="$(verify_secs) "
    dw=$(run_dd_write "$IMG")
    dr=$(run_dd_read)
    T[dd_read]+="$dr "
    T[dd_wv]+="$(awk -v a="$dw" -v b="$dr" 'BEGIN {print a+b}') "
    T[skiff_zst]+="$(run_skiff "$ZST" --no-verify) "
    T[skiff_zst_cpu]+="$(cat "$DIR/cpu") "
    T[skiff_raw2]+="$(run_skiff "$IMG" --no-verify) "
    if [ -n "$FAST_OUT" ]; then
        T[skiff_zst_fast]+="$(OUT=$FAST_OUT run_skiff "$ZST" --no-verify) "
        rm -f "$FAST_OUT"
        t0=$(now)
        zstd -q -d -f "$ZST" -o "$FAST_OUT"
        t1=$(now)
        T[zstd_fast]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b-a}') "
        rm -f "$FAST_OUT"
    fi
    t0=$(now)
    /usr/bin/time -f "%U %S" -o "$DIR/zstd-cpu" zstd -q -d -c "$ZST" > /dev/null
    t1=$(now)
    T[zstd_cli]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b-a}') "
    T[zstd_cpu]+="$(tail -n1 "$DIR/zstd-cpu" | awk '{print $1 + $2}') "
    if [ -x "$DECODE" ]; then
        T[crate_decode]+="$("$DECODE" "$ZST" | cut -d' ' -f1) "
    fi
    T[skiff_bmap]+="$(run_skiff "$SPARSE" --bmap "$SPARSE.bmap" --no-verify) "
    T[dd_sparse]+="$(run_dd_write "$SPARSE") "
    if command -v bmaptool > /dev/null; then
        rm -f "$OUT"
        t0=$(now)
        bmaptool -q copy --bmap "$SPARSE.bmap" "$SPARSE" "$OUT"
        t1=$(now)
        T[bmaptool]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b-a}') "
    fi
done

LOAD_AFTER=$(load)
med() { echo "${T[$1]}" | tr ' ' '\n' | grep -v '^$' | median; }
row() { # name, skiff seconds, baseline name, baseline seconds, bytes
    printf "%-16s skiff %7.3f s (%7s MiB/s)   %-14s %7.3f s (%7s MiB/s)   ratio %.2fx\n" \
        "$1" "$2" "$(mbps "$5" "$2")" "$3" "$4" "$(mbps "$5" "$4")" "$(awk -v a="$2" -v b="$4" 'BEGIN {print b/a}')"
}
echo
echo "flash benchmark: ${SIZE_MIB} MiB image, $RUNS runs, medians, file system of $DIR"
echo "load average (1 min): $LOAD_BEFORE before, $LOAD_AFTER after"
row raw-write "$(med skiff_raw)" "dd oflag=direct" "$(med dd_raw)" $BYTES
row raw-verify "$(med skiff_verify_s)" "dd iflag=direct" "$(med dd_read)" $BYTES
row write+verify "$(med skiff_wv)" "dd w+r" "$(med dd_wv)" $BYTES
row zst-write "$(med skiff_zst)" "skiff raw" "$(med skiff_raw2)" $BYTES
row zst-write "$(med skiff_zst)" "zstd -d only" "$(med zstd_cli)" $BYTES
if [ -n "${T[skiff_zst_fast]}" ]; then
    row zst-to-tmpfs "$(med skiff_zst_fast)" "zstd -d only" "$(med zstd_cli)" $BYTES
    row zst-to-tmpfs "$(med skiff_zst_fast)" "zstd -d -o tmpfs" "$(med zstd_fast)" $BYTES
fi
if [ -n "${T[crate_decode]}" ]; then
    row zst-decode "$(med crate_decode)" "zstd -d only" "$(med zstd_cli)" $BYTES
fi
printf "zst CPU seconds  skiff write %.3f s   zstd -d %.3f s   ratio %.2fx\n" \
    "$(med skiff_zst_cpu)" "$(med zstd_cpu)" "$(awk -v a="$(med skiff_zst_cpu)" -v b="$(med zstd_cpu)" 'BEGIN {print b/a}')"
row bmap-75%-holes "$(med skiff_bmap)" "dd whole" "$(med dd_sparse)" $BYTES
if [ -n "${T[bmaptool]}" ]; then
    row bmap-75%-holes "$(med skiff_bmap)" "bmaptool copy" "$(med bmaptool)" $BYTES
fi
PEAK_KB=$(sort -n "$DIR/rss.log" | tail -n1)
echo "peak memory of skiff: $((PEAK_KB / 1024)) MiB (max RSS over all skiff runs)"
echo "(zst-decode: skiff's decoder alone, examples/flash_decode, no target, no checksum)"
echo "(raw-verify compares skiff's verify phase alone with a direct read of the same file;"
echo " ratio = baseline time / skiff time, above 1 means skiff is faster)"
