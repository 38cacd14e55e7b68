#!/bin/bash
# Flashes a Jetson TX2 in USB recovery mode: U-Boot as the kernel partition,
# images/skiffos.ext2 as APP. Everything else on the eMMC is rewritten by L4T.
set -euo pipefail
: "${BUILDROOT_DIR:?run through skiff cmd (BUILDROOT_DIR is the workspace)}"
images="${BUILDROOT_DIR}/images"
[ -d "$images" ] || images="${BUILDROOT_DIR}/output/images"
l4t="$images/linux4tegra"
for f in "$images/skiffos.ext2" "$images/u-boot-dtb.bin" "$l4t/flash.sh"; do
    if [ ! -e "$f" ]; then
        echo "jetson/tx2: $f is missing; build the stack first" >&2
        exit 1
    fi
done
if [ "${SKIFF_NVIDIA_USB_FLASH:-}" != "confirm" ]; then
    echo "jetson/tx2: this rewrites the whole eMMC of the TX2 connected in recovery mode." >&2
    echo "Set SKIFF_NVIDIA_USB_FLASH=confirm to go ahead." >&2
    exit 1
fi
ln -sfn "$images/skiffos.ext2" "$l4t/bootloader/system.img"
cd "$l4t"
sudo ./flash.sh -r -L "$images/u-boot-dtb.bin" -d tegra186-quill-p3310-1000-c03-00-base.dtb \
    jetson-tx2-devkit mmcblk0p1
