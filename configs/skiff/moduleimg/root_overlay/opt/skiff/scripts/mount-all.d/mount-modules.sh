# Sourced by mount-all.sh: mount the kernel modules image, then replay device
# events so drivers that were waiting for their modules get loaded.
modimg="${ROOTFS_MNT}/modules.squashfs"
if [ -f "$modimg" ] && ! mountpoint -q /usr/lib/modules; then
    if mount -o loop,ro -t squashfs "$modimg" /usr/lib/modules; then
        udevadm trigger --action=add --type=devices
        udevadm settle --timeout=30 || true
    else
        echo "skiff-init: could not mount $modimg" >&2
    fi
fi
