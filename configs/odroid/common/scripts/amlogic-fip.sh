#!/bin/bash
# Wraps U-Boot into the signed Amlogic FIP image the boot ROM loads from the
# card (images/u-boot.bin.sd.bin), using the amlogic-boot-fip host package.
# Shared by the Amlogic ODROID boards: their post hooks call it with their device name.
set -euo pipefail
: "${BINARIES_DIR:?run from Buildroot's post-image step}"
: "${HOST_DIR:?run from Buildroot's post-image step}"
device="${1:?usage: amlogic-fip.sh DEVICE (odroid-c2, odroid-c4)}"
out="${BINARIES_DIR}/u-boot.bin.sd.bin"
fip="$(find "${HOST_DIR}" "${BUILD_DIR:-${BINARIES_DIR}/../build}" -maxdepth 4 -name build-fip.sh -path '*amlogic-boot-fip*' 2>/dev/null | head -n1 || true)"
if [ -z "$fip" ]; then
    echo "$device: build-fip.sh of host-amlogic-boot-fip not found; is BR2_PACKAGE_HOST_AMLOGIC_BOOT_FIP set?" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$(dirname "$fip")" && ./build-fip.sh "$device" "${BINARIES_DIR}/u-boot.bin" "$work")
cp "$work/u-boot.bin.sd.bin" "$out.tmp"
mv -f "$out.tmp" "$out"
