# The APP partition (label persist) holds everything; boot files and the
# rootfs area are directories inside it.
ROOTFS_DEVICE=/mnt/persist/rootfs
BOOT_DEVICE=/mnt/persist/boot
MOUNT_BOOT_DEVICE=1
