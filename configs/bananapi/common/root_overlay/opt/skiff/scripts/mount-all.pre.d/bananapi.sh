# The root image is unpacked under persist; the boot partition is already the
# original root, bound at /mnt/boot by skiff-init.
ROOTFS_DEVICE=/mnt/persist/rootfs
