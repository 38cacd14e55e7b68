#!/usr/bin/env bash
# Release build cost, binary size and start-up time of three profiles, side by side:
#   plain     the release profile as it was: no LTO, only debug info stripped (the default)
#   thin      + lto = "thin", strip = true           (what [profile.release] uses)
#   fat       + lto = "fat", codegen-units = 1, strip (what [profile.dist] uses)
# Each is built from scratch in its own target directory (dependencies included), then
# rebuilt after touching src/lib.rs (what a `cargo bench` after an edit pays). Start-up is
# the median of RUNS runs of `skiff --version` and of `skiff layers --all` in the checkout.
#
# Usage: benches/release.sh [RUNS]   (BENCH_DIR: where the target directories go,
#                                      default target/bench-release)
set -euo pipefail
RUNS=${1:-21}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$ROOT/target/bench-release}
mkdir -p "$DIR"
cd "$ROOT"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

# start-up BIN ARGS...: median wall time in milliseconds
startup() {
    local bin=$1; shift
    for _ in $(seq "$RUNS"); do
        local t0; t0=$(now)
        "$bin" "$@" >/dev/null 2>&1
        echo "($(now) - $t0) * 1000" | bc -l
    done | median
}

printf '%-6s %10s %12s %12s %14s %14s\n' profile full_s rebuild_s size_bytes version_ms layers_ms
for case in plain thin fat; do
    env=(CARGO_TARGET_DIR="$DIR/$case")
    case $case in
        plain) env+=(CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_STRIP=debuginfo) ;;
        thin) env+=(CARGO_PROFILE_RELEASE_LTO=thin CARGO_PROFILE_RELEASE_STRIP=true) ;;
        fat) env+=(CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
                   CARGO_PROFILE_RELEASE_STRIP=true) ;;
    esac
    rm -rf "${DIR:?}/$case"
    t0=$(now)
    env "${env[@]}" cargo build --release --bin skiff -q
    full=$(echo "$(now) - $t0" | bc -l)
    touch src/lib.rs
    t0=$(now)
    env "${env[@]}" cargo build --release --bin skiff -q
    rebuild=$(echo "$(now) - $t0" | bc -l)
    bin="$DIR/$case/release/skiff"
    size=$(stat -c %s "$bin")
    v=$(startup "$bin" --version)
    l=$(startup "$bin" --root "$ROOT" layers --all)
    printf '%-6s %10.1f %12.1f %12d %14.2f %14.2f\n' "$case" "$full" "$rebuild" "$size" "$v" "$l"
done
