#!/usr/bin/env bash
# skiff push benchmark: a root image pushed over loopback SSH against a plain scp of the same
# file in the same run, to the same server, each repeated and reported as the median.
#
# Usage: benches/push.sh [RUNS] [SIZE_MIB]
#   RUNS      repetitions per case (default 5)
#   SIZE_MIB  size of the root image (default 256)
#   BENCH_DIR work directory (default target/bench-push)
#   SKIFF     skiff binary (default: target/release/skiff, rebuilt first so it is never stale)
#   DEVICE_USER  the user skiff and scp log in as (default: run as root, a throwaway user
#             `skiffbench` with /bin/sh as its shell, created if missing; otherwise the current
#             user). Every session starts the user's shell, and bash reads ~/.bashrc even for a
#             command sent over SSH: a development machine's (pyenv, nvm...) can cost 0.1 s a
#             session, a device's shell almost nothing. The header says the user and shell.
#   SKIFF_BASE  a second skiff binary (e.g. a build of an earlier commit), pushed the same way
#             in the same runs: the case push-base, and the ratio of the two
#
# A throwaway sshd (Debian's openssh-server) listens on 127.0.0.1 with its own host and user
# keys; each run pushes to an empty "device" directory, so the whole image is sent, hashed
# on the device and swapped in. Cases, interleaved run by run:
#   scp           scp of the image (a new connection, like a push)
#   push          skiff push (new connection, probe, compare, upload, SHA-256 on the device,
#                 swap, sync), device hash tool chosen automatically
#   push-sha256sum  the same with --remote-hash sha256sum
set -euo pipefail

RUNS=${1:-5}
SIZE_MIB=${2:-256}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$ROOT/target/bench-push}
SSHD=${SSHD:-/usr/sbin/sshd}
[ -x "$SSHD" ] || { echo "$SSHD is missing: run scripts/deps (openssh-server)" >&2; exit 1; }
if [ -z "${SKIFF:-}" ]; then
    (cd "$ROOT" && cargo build --release --bin skiff)
    SKIFF=$ROOT/target/release/skiff
fi
rm -rf "$DIR" && mkdir -p "$DIR"
[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

# Server.
ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$DIR/user_key"
cp "$DIR/user_key.pub" "$DIR/authorized_keys"
PORT=$((20000 + RANDOM % 20000))
cat > "$DIR/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $DIR/host_key
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
StrictModes no
UsePAM no
PidFile none
Subsystem sftp /usr/lib/openssh/sftp-server
CONF
"$SSHD" -D -f "$DIR/sshd_config" -E "$DIR/sshd.log" &
SSHD_PID=$!
trap 'kill $SSHD_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break
    sleep 0.1
done
if [ -z "${DEVICE_USER:-}" ]; then
    DEVICE_USER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        DEVICE_USER=skiffbench
        id "$DEVICE_USER" > /dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh -p '*' "$DEVICE_USER"
    fi
fi
DEVICE_SHELL=$(getent passwd "$DEVICE_USER" | cut -d: -f7)
USER_AT="$DEVICE_USER@127.0.0.1"
# The device user writes into the device and scp directories.
own() { [ "$(id -un)" = "$DEVICE_USER" ] || chown -R "$DEVICE_USER" "$@"; }
SSH_OPTS=(-o "UserKnownHostsFile=$DIR/known_hosts" -o StrictHostKeyChecking=accept-new -i "$DIR/user_key")

# A tree with one board layer, a build with a random (incompressible) root image.
mkdir -p "$DIR/tree/configs/bench/board/metadata" "$DIR/tree/workspaces/default/images/rootfs_part"
echo "push benchmark board" > "$DIR/tree/configs/bench/board/metadata/description"
cat > "$DIR/tree/configs/bench/board/layout.yaml" <<'YAML'
about: push benchmark board
table: mbr
partitions:
  - { name: boot, type: fat32, fs: vfat, label: boot, start: 1MiB, end: 1GiB }
  - { name: rootfs, type: linux, fs: ext4, label: rootfs, size: rest }
install:
  persist: rootfs
  copy:
    - { from: rootfs.squashfs, to: "boot:/" }
YAML
IMAGES=$DIR/tree/workspaces/default/images
head -c $((SIZE_MIB << 20)) /dev/urandom > "$IMAGES/rootfs.squashfs"

push_once() { # $1 = extra flag or empty; BIN = the binary (default $SKIFF)
    rm -rf "$DIR/device" && mkdir -p "$DIR/device/boot" "$DIR/device/rootfs" && own "$DIR/device"
    sync
    local t0; t0=$(now)
    SKIFF_CONFIG=bench/board "${BIN:-$SKIFF}" --root "$DIR/tree" push "$USER_AT" -p "$PORT" \
        -i "$DIR/user_key" --ssh-option "UserKnownHostsFile=$DIR/known_hosts" \
        --ssh-option StrictHostKeyChecking=accept-new \
        --boot-dir "$DIR/device/boot" --rootfs-dir "$DIR/device/rootfs" \
        --device-mount-cmd true ${1:+$1} > /dev/null 2> "$DIR/push.err" \
        || { cat "$DIR/push.err" >&2; exit 1; }
    awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f\n", b-a}'
    cmp -s "$IMAGES/rootfs.squashfs" "$DIR/device/boot/rootfs.squashfs" \
        || { echo "pushed file differs" >&2; exit 1; }
}

scp_once() {
    rm -rf "$DIR/scp" && mkdir -p "$DIR/scp" && own "$DIR/scp"
    sync
    local t0; t0=$(now)
    scp -q -P "$PORT" "${SSH_OPTS[@]}" "$IMAGES/rootfs.squashfs" "$USER_AT:$DIR/scp/rootfs.squashfs"
    sync
    awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f\n", b-a}'
}

: > "$DIR/scp.times"; : > "$DIR/push.times"; : > "$DIR/push-sha256sum.times"; : > "$DIR/push-base.times"
for ((i = 1; i <= RUNS; i++)); do
    scp_once >> "$DIR/scp.times"
    push_once "" >> "$DIR/push.times"
    push_once "--remote-hash=sha256sum" >> "$DIR/push-sha256sum.times"
    if [ -n "${SKIFF_BASE:-}" ]; then
        BIN=$SKIFF_BASE push_once "" >> "$DIR/push-base.times"
        echo "run $i/$RUNS: push with SKIFF_BASE $(tail -n1 "$DIR/push-base.times") s" >&2
    fi
    echo "run $i/$RUNS: scp $(tail -n1 "$DIR/scp.times") s, push $(tail -n1 "$DIR/push.times") s, push (sha256sum) $(tail -n1 "$DIR/push-sha256sum.times") s" >&2
done

SCP=$(median < "$DIR/scp.times")
echo "image: ${SIZE_MIB} MiB, runs: $RUNS, medians (throughput ratio = scp time / push time)"
echo "device user: $DEVICE_USER (shell $DEVICE_SHELL); load average (1 min) after: $(cut -d' ' -f1 /proc/loadavg)"
CASES="push push-sha256sum"
[ -z "${SKIFF_BASE:-}" ] || CASES="$CASES push-base"
for case in $CASES; do
    T=$(median < "$DIR/$case.times")
    awk -v c="$case" -v t="$T" -v s="$SCP" -v m="$SIZE_MIB" \
        'BEGIN {printf "%-15s %7.3f s  %6.1f MiB/s   scp %7.3f s  %6.1f MiB/s   ratio %.2fx\n", c, t, m/t, s, m/s, s/t}'
done
