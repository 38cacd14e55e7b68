#!/bin/bash
# Boots the built kernel and initramfs in QEMU with a persistent qcow2 disk
# (created once, sparse) and a 9p share. Tunables: QEMU_MEMORY, QEMU_CPUS,
# ROOTFS_MAX_SIZE, QEMU_ARGS.
set -euo pipefail
: "${BUILDROOT_DIR:?run through skiff cmd (BUILDROOT_DIR is the workspace)}"
images="${BUILDROOT_DIR}/images"
[ -d "$images" ] || images="${BUILDROOT_DIR}/output/images"
host="${BUILDROOT_DIR}/host"
[ -d "$host" ] || host="${BUILDROOT_DIR}/output/host"
kernel="$images/bzImage"
initrd="$images/rootfs.cpio.lz4"
for f in "$kernel" "$initrd"; do
    [ -f "$f" ] || { echo "virt/qemu: $f is missing; build the stack first" >&2; exit 1; }
done
qemu="$host/bin/qemu-system-x86_64"
[ -x "$qemu" ] || qemu="$(command -v qemu-system-x86_64 || true)"
[ -n "$qemu" ] || { echo "virt/qemu: qemu-system-x86_64 not found" >&2; exit 1; }
img="$host/bin/qemu-img"
[ -x "$img" ] || img="$(command -v qemu-img || true)"

state="${BUILDROOT_DIR}/qemu-exec"
mkdir -p "$state/qemu-shared"
disk="$state/qemu-persist.qcow2"
if [ ! -f "$disk" ]; then
    [ -n "$img" ] || { echo "virt/qemu: qemu-img not found" >&2; exit 1; }
    "$img" create -f qcow2 "$disk.tmp" "${ROOTFS_MAX_SIZE:-32G}"
    mv -f "$disk.tmp" "$disk"
fi
accel=()
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    accel=(-enable-kvm -cpu host)
fi
# shellcheck disable=SC2086
exec "$qemu" "${accel[@]}" -M q35 -m "${QEMU_MEMORY:-2G}" -smp "${QEMU_CPUS:-$(nproc)}" \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 root=/dev/ram0 ro net.ifnames=0" -nographic \
    -drive "file=$disk,if=virtio,format=qcow2" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    -device virtio-rng-pci \
    -virtfs "local,path=$state/qemu-shared,mount_tag=host0,security_model=none,id=host0" \
    ${QEMU_ARGS:-}
