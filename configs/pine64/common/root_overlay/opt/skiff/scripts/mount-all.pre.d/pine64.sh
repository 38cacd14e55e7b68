# One partition holds everything: skiff-init binds it at /mnt/persist, and the
# boot and rootfs areas are directories inside it.
ROOTFS_DEVICE=/mnt/persist/rootfs
BOOT_DEVICE=/mnt/persist/boot
MOUNT_BOOT_DEVICE=1
