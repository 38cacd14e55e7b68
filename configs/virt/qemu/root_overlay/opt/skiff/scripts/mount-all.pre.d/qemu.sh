# First boot on a blank virtual disk: make one ext4 partition labelled persist.
# The disk image is already full size, so there is nothing to grow later.
if [ -b /dev/vda ] && [ ! -e /dev/disk/by-label/persist ] && [ -z "$(blkid /dev/vda 2>/dev/null)" ]; then
    echo "skiff-init: partitioning the blank disk /dev/vda"
    parted -s /dev/vda mklabel msdos mkpart primary ext4 2MiB 100% &&
        udevadm settle &&
        mkfs.ext4 -q -F -L persist /dev/vda1 &&
        udevadm settle
fi
ROOTFS_DEVICE=/mnt/persist/rootfs
DISABLE_RESIZE_PERSIST=1
