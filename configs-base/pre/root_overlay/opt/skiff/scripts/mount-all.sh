#!/bin/bash
# Early boot (skiff-init.service): mounts persist, rootfs and boot storage, binds
# persistent state (SSH keys, journal, connections, hostname) into place, grows
# the persist filesystem, and writes /etc/skiff/env for later scripts.
set -u

PERSIST_DEVICE="LABEL=persist"
PERSIST_MNT=/mnt/persist
ROOTFS_DEVICE="LABEL=rootfs"
ROOTFS_MNT=/mnt/rootfs
BOOT_DEVICE="LABEL=boot"
BOOT_MNT=/mnt/boot
MOUNT_BOOT_DEVICE=""
DISABLE_RESIZE_PERSIST=""
DISABLE_RESIZE_PARTITION=""

# Board layers override the defaults above with small shell snippets.
for snippet in /opt/skiff/scripts/mount-all.pre.d/*.sh; do
    [ -f "$snippet" ] && . "$snippet"
done

log() { echo "skiff-init: $*"; }

# LABEL=x -> /dev/disk/by-label/x; anything else unchanged.
device_path() {
    case "$1" in
    LABEL=*) echo "/dev/disk/by-label/${1#LABEL=}" ;;
    UUID=*) echo "/dev/disk/by-uuid/${1#UUID=}" ;;
    PARTUUID=*) echo "/dev/disk/by-partuuid/${1#PARTUUID=}" ;;
    *) echo "$1" ;;
    esac
}

# mount_storage <device|directory> <mountpoint> <seconds to wait>
mount_storage() {
    local src dst="$2" wait="$3"
    src="$(device_path "$1")"
    mkdir -p "$dst"
    mountpoint -q "$dst" && return 0
    if [ -d "$src" ]; then
        mount --rbind "$src" "$dst"
        return
    fi
    while [ ! -b "$src" ] && [ "$wait" -gt 0 ]; do
        sleep 1
        wait=$((wait - 1))
    done
    if [ ! -b "$src" ]; then
        log "$1 not found, $dst stays on the root filesystem"
        return 1
    fi
    mount "$src" "$dst"
}

if ! mount_storage "$PERSIST_DEVICE" "$PERSIST_MNT" 60; then
    log "no persist storage: state will not survive a reboot"
fi
mkdir -p "$PERSIST_MNT"/skiff/{keys,ssh,journal,connections,etc} "$PERSIST_MNT"/skiff-overlays
[ "$ROOTFS_DEVICE" = "${PERSIST_MNT}/rootfs" ] && mkdir -p "$ROOTFS_DEVICE"
mount_storage "$ROOTFS_DEVICE" "$ROOTFS_MNT" 5 || true
if [ -n "$MOUNT_BOOT_DEVICE" ]; then
    [ "$BOOT_DEVICE" = "${PERSIST_MNT}/boot" ] && mkdir -p "$BOOT_DEVICE"
    mount_storage "$BOOT_DEVICE" "$BOOT_MNT" 5 || true
fi

state="$PERSIST_MNT/skiff"

# Grow the persist partition and filesystem to the end of the card.
if [ -z "$DISABLE_RESIZE_PERSIST" ] && mountpoint -q "$PERSIST_MNT"; then
    args=(-verbose -ignore-resize-partition)
    [ -n "$DISABLE_RESIZE_PARTITION" ] && args+=(-no-resize-partition)
    embiggen-disk "${args[@]}" "$PERSIST_MNT" || log "could not grow $PERSIST_MNT"
fi

# Hostname and machine id survive reinstalls.
[ -s "$state/hostname" ] || hostname >"$state/hostname"
hostname "$(cat "$state/hostname")"
if [ ! -s "$state/machine-id" ]; then
    systemd-machine-id-setup --print >"$state/machine-id" 2>/dev/null || cat /proc/sys/kernel/random/uuid | tr -d '-' >"$state/machine-id"
fi
mount --bind "$state/machine-id" /etc/machine-id 2>/dev/null || cp "$state/machine-id" /etc/machine-id

# SSH: host keys on persist, authorized keys from the image and from persist.
if [ -z "$(ls -A "$state/ssh")" ]; then
    cp -a /etc/ssh/. "$state/ssh/"
fi
mount --bind "$state/ssh" /etc/ssh
mkdir -p /root/.ssh
chmod 700 /root/.ssh
cat /etc/skiff/authorized_keys/*.pub "$state"/keys/*.pub 2>/dev/null >/root/.ssh/authorized_keys || true
chmod 600 /root/.ssh/authorized_keys

# Journal and NetworkManager connections on persist.
if [ ! -f /etc/skip-skiff-journal-mounts ]; then
    mkdir -p /var/log/journal
    mount --bind "$state/journal" /var/log/journal
fi
conns=/etc/NetworkManager/system-connections
mkdir -p "$conns" "$PERSIST_MNT/skiff-overlays/connections-work"
mount -t overlay overlay -o "lowerdir=$conns,upperdir=$state/connections,workdir=$PERSIST_MNT/skiff-overlays/connections-work" "$conns" ||
    log "could not overlay $conns"

# Files under persist skiff/etc/ win over the image's /etc.
[ -n "$(ls -A "$state/etc")" ] && rsync -a "$state/etc/" /etc/

# A clock that is older than the build cannot be right.
if [ -f /etc/skiff-release ]; then
    built="$(sed -n 's/^BUILD_DATE="\(.*\)"$/\1/p' /etc/skiff-release)"
    if [ -n "$built" ] && [ "$(date -u +%s)" -lt "$(date -u -d "$built" +%s 2>/dev/null || echo 0)" ]; then
        date -u -s "$built" >/dev/null
    fi
fi

mkdir -p /etc/skiff
cat >/etc/skiff/env <<ENV
PERSIST_MNT=$PERSIST_MNT
SKIFF_PERSIST=$state
SKIFF_OVERLAYS=$PERSIST_MNT/skiff-overlays
KEYS_PERSIST=$state/keys
SSH_PERSIST=$state/ssh
JOURNAL_PERSIST=$state/journal
BOOT_DEVICE=$BOOT_DEVICE
BOOT_MNT=$BOOT_MNT
ROOTFS_DEVICE=$ROOTFS_DEVICE
ROOTFS_MNT=$ROOTFS_MNT
ENV

for step in /opt/skiff/scripts/mount-all.d/*.sh; do
    [ -f "$step" ] && . "$step"
done
exit 0
