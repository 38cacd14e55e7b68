#!/bin/bash
# Post-build step for every stack: stamps the release into the target tree and
# images/, and adjusts systemd and NetworkManager defaults for SkiffOS.
set -euo pipefail

: "${TARGET_DIR:?TARGET_DIR is unset: this hook runs from Buildroot's post-build step}"
: "${BINARIES_DIR:?BINARIES_DIR is unset: this hook runs from Buildroot's post-build step}"

version="${SKIFF_VERSION:-unknown}"
commit="${SKIFF_VERSION_COMMIT:-unknown}"
chain="${SKIFF_CONFIG:-}"
built_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
built_by="$(id -un 2>/dev/null || echo unknown)@$(uname -n)"

release="$(mktemp)"
trap 'rm -f "$release"' EXIT
{
    echo "NAME=SkiffOS"
    echo "ID=skiff"
    echo "VERSION=\"${version}\""
    echo "VERSION_ID=${commit}"
    echo "PRETTY_NAME=\"SkiffOS ${version}\""
    echo "VERSION_FULL=\"${version} (${commit})\""
    echo "BUILD_DATE=\"${built_at}\""
    echo "BUILD_USER=\"${built_by}\""
} >"$release"

etc="${TARGET_DIR}/etc"
mkdir -p "$etc" "${BINARIES_DIR}/resources"
# Keep Buildroot's own os-release once, under another name.
if [ -f "${etc}/os-release" ] && [ ! -e "${etc}/buildroot-release" ]; then
    cp -L "${etc}/os-release" "${etc}/buildroot-release"
fi
rm -f "${etc}/os-release"
install -m 0644 "$release" "${etc}/os-release"
{ cat "$release"; echo "BUILD_CONFIG=\"${chain}\""; } >"${etc}/skiff-release"
cp "${etc}/skiff-release" "${BINARIES_DIR}/skiff-release"

units="${etc}/systemd/system"
# Booting must not wait for the network to come up.
rm -f "${units}/network-online.target.wants/NetworkManager-wait-online.service"
# Start journald after the persist partition is mounted so the journal lands there.
if [ -d "${units}/sysinit.target.wants" ]; then
    for unit in "${units}"/sysinit.target.wants/systemd-journald*; do
        [ -e "$unit" ] || [ -L "$unit" ] || continue
        mkdir -p "${units}/basic.target.wants"
        mv -f "$unit" "${units}/basic.target.wants/"
    done
fi
# NetworkManager owns resolv.conf.
rm -f "${etc}/resolv.conf"
echo "# Managed by NetworkManager" >"${etc}/resolv.conf"

mkdir -p "${TARGET_DIR}/mnt/persist" "${TARGET_DIR}/mnt/rootfs" "${TARGET_DIR}/mnt/boot"
