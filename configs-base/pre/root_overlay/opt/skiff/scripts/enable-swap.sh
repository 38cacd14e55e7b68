#!/bin/bash
# Swap for SkiffOS: a zram device first (fast, compressed), then a swap file on
# persist as overflow. Set DISABLE_ZRAM or DISABLE_SWAPFILE in /etc/skiff/env to skip one.
set -u
[ -f /etc/skiff/env ] && . /etc/skiff/env
PERSIST_MNT="${PERSIST_MNT:-/mnt/persist}"
ZRAM_SIZE="${ZRAM_SIZE:-2048M}"
SWAPFILE="${SWAPFILE:-$PERSIST_MNT/primary.swap}"
SWAPFILE_MIB="${SWAPFILE_MIB:-2048}"

if [ -z "${DISABLE_ZRAM:-}" ] && modprobe zram num_devices=1 2>/dev/null; then
    if [ -b /dev/zram0 ] && ! grep -q '^/dev/zram0 ' /proc/swaps; then
        zramctl --size "$ZRAM_SIZE" --algorithm lz4 /dev/zram0 2>/dev/null ||
            zramctl --size "$ZRAM_SIZE" /dev/zram0
        mkswap /dev/zram0 >/dev/null && swapon -p 100 /dev/zram0
    fi
fi

if [ -z "${DISABLE_SWAPFILE:-}" ] && mountpoint -q "$PERSIST_MNT"; then
    if [ ! -f "$SWAPFILE" ]; then
        fallocate -l "${SWAPFILE_MIB}M" "$SWAPFILE" 2>/dev/null ||
            dd if=/dev/zero of="$SWAPFILE" bs=1M count="$SWAPFILE_MIB" status=none
        chmod 600 "$SWAPFILE"
        mkswap "$SWAPFILE" >/dev/null
    fi
    grep -q "^$SWAPFILE " /proc/swaps || swapon -p 10 "$SWAPFILE" ||
        echo "enable-swap: could not use $SWAPFILE" >&2
fi
exit 0
