#!/bin/bash
# Moves the kernel modules out of the root image into images/rootfs_part/modules.squashfs.
# mount-all.d/mount-modules.sh loop-mounts it on /usr/lib/modules at boot.
set -euo pipefail
: "${TARGET_DIR:?run from Buildroot's post-build step}"
: "${BINARIES_DIR:?run from Buildroot's post-build step}"
: "${HOST_DIR:?run from Buildroot's post-build step}"

if ! grep -qx 'BR2_LINUX_KERNEL=y' "${BR2_CONFIG:-/dev/null}"; then
    echo "skiff/moduleimg: no kernel in this build, nothing to pack"
    exit 0
fi
modules="${TARGET_DIR}/usr/lib/modules"
out="${BINARIES_DIR}/rootfs_part"
staging="$(dirname "$BINARIES_DIR")/extra_images/modules"
mkdir -p "$out" "$staging"
if [ -n "$(ls -A "$modules" 2>/dev/null)" ]; then
    rm -rf "$staging"
    mkdir -p "$staging"
    cp -a "$modules/." "$staging/"
    rm -rf "${modules:?}"/*
fi
if [ -z "$(ls -A "$staging")" ]; then
    echo "skiff/moduleimg: no modules were built" >&2
    exit 0
fi
cp "${TARGET_DIR}/etc/skiff-release" "$staging/" 2>/dev/null || true
rm -f "$out/modules.squashfs.tmp"
"${HOST_DIR}/bin/mksquashfs" "$staging" "$out/modules.squashfs.tmp" -comp lz4 -noappend -all-root -quiet
mv -f "$out/modules.squashfs.tmp" "$out/modules.squashfs"
echo "The kernel modules are mounted here from the rootfs partition (modules.squashfs)." >"$modules/MOUNTPOINT"
