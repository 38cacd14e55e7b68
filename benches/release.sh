#!/usr/bin/env bash
# Build cost, binary size and start-up time of the release and dist profiles, side by side:
#   release   opt-level 3, no LTO, debug info stripped (what `cargo bench` builds)
#   dist      release + lto = "fat", codegen-units = 1, strip = true (packages, installs)
# Each is built from scratch in its own target directory (dependencies included), then
# rebuilt after touching src/lib.rs (what the next `cargo bench` after an edit pays).
# Start-up is the median of RUNS runs of `skiff --version` and of `skiff layers --all` on
# this checkout.
#
# Usage: benches/release.sh [RUNS] [PROFILES...]   (default: 21 release dist)
#        STARTUP_ONLY=1 benches/release.sh RUNS BIN...   start-up of built binaries only
#   BENCH_DIR  where the target directories go (default target/bench-release)
set -euo pipefail
RUNS=${1:-21}
shift || true
PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(release dist)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$ROOT/target/bench-release}
mkdir -p "$DIR"
cd "$ROOT"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

# startup BIN ARGS...: median wall time in milliseconds
startup() {
    local bin=$1; shift
    for _ in $(seq "$RUNS"); do
        local t0; t0=$(now)
        "$bin" "$@" >/dev/null 2>&1
        echo "($(now) - $t0) * 1000" | bc -l
    done | median
}

# --startup BIN...: only start-up, the binaries interleaved run by run, so load changes on a
# shared machine hit all of them alike.
if [ "${STARTUP_ONLY:-}" = 1 ]; then
    printf '%-40s %12s %12s\n' binary version_ms layers_ms
    declare -A v l
    for _ in $(seq "$RUNS"); do
        for bin in "${PROFILES[@]}"; do
            for what in version layers; do
                args=(--version)
                [ "$what" = layers ] && args=(--root "$ROOT" layers --all)
                t0=$(now)
                "$bin" "${args[@]}" >/dev/null 2>&1
                t=$(echo "($(now) - $t0) * 1000" | bc -l)
                if [ "$what" = version ]; then v[$bin]+="$t "; else l[$bin]+="$t "; fi
            done
        done
    done
    for bin in "${PROFILES[@]}"; do
        printf '%-40s %12.2f %12.2f\n' "$bin" "$(tr ' ' '\n' <<<"${v[$bin]}" | grep . | median)" \
            "$(tr ' ' '\n' <<<"${l[$bin]}" | grep . | median)"
    done
    exit 0
fi

printf '%-8s %10s %12s %12s %12s %12s\n' profile full_s rebuild_s size_bytes version_ms layers_ms
for profile in "${PROFILES[@]}"; do
    target="$DIR/$profile"
    rm -rf "$target"
    t0=$(now)
    CARGO_TARGET_DIR="$target" cargo build --profile "$profile" --bin skiff -q
    full=$(echo "$(now) - $t0" | bc -l)
    touch src/lib.rs
    t0=$(now)
    CARGO_TARGET_DIR="$target" cargo build --profile "$profile" --bin skiff -q
    rebuild=$(echo "$(now) - $t0" | bc -l)
    bin="$target/$profile/skiff"
    size=$(stat -c %s "$bin")
    v=$(startup "$bin" --version)
    l=$(startup "$bin" --root "$ROOT" layers --all)
    printf '%-8s %10.1f %12.1f %12d %12.2f %12.2f\n' "$profile" "$full" "$rebuild" "$size" "$v" "$l"
done
