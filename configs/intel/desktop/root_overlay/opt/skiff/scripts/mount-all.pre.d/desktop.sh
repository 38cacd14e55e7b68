# The SKIFFOS partition holds /boot, /rootfs and the state.
PERSIST_DEVICE=LABEL=SKIFFOS
ROOTFS_DEVICE=/mnt/persist/rootfs
BOOT_DEVICE=/mnt/persist/boot
MOUNT_BOOT_DEVICE=1
