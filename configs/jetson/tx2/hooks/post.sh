#!/bin/bash
# Builds images/skiffos.ext2: the APP partition image L4T flashes to the eMMC.
# It holds /boot (kernel, device tree, initramfs, boot.scr) and /rootfs, has
# the label persist, and is grown to the whole partition on first boot.
set -euo pipefail
: "${BINARIES_DIR:?run from Buildroot's post-image step}"
: "${HOST_DIR:?run from Buildroot's post-image step}"
: "${SKIFF_CURRENT_CONF_DIR:?run through the skiff hook wrapper}"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot" "$stage/rootfs"
cp "$BINARIES_DIR/Image" "$BINARIES_DIR"/*.dtb "$BINARIES_DIR/rootfs.cpio.uboot" "$stage/boot/"
cp "$BINARIES_DIR/skiff-release" "$stage/boot/" 2>/dev/null || true
"$HOST_DIR/bin/mkimage" -A arm64 -O linux -T script -C none -n "SkiffOS TX2" \
    -d "$SKIFF_CURRENT_CONF_DIR/resources/boot-scripts/boot.txt" "$stage/boot/boot.scr"
if [ -d "$BINARIES_DIR/rootfs_part" ]; then
    cp -a "$BINARIES_DIR/rootfs_part/." "$stage/rootfs/"
fi
out="$BINARIES_DIR/skiffos.ext2"
rm -f "$out.tmp"
"$HOST_DIR/sbin/mkfs.ext4" -q -F -L persist -O ^64bit -d "$stage" "$out.tmp" 1024M
mv -f "$out.tmp" "$out"
