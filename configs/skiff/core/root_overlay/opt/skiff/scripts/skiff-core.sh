#!/bin/bash
# Starts skiff-core with the config on persist, seeding it from the image's
# default the first time.
set -eu
state=/mnt/persist/skiff/core
config="$state/config.yaml"
mkdir -p "$state/tmp" "$state/repos"
cd "$state/tmp"
if [ ! -f "$config" ]; then
    if [ -f /opt/skiff/coreenv/defconfig.yaml ]; then
        cp /opt/skiff/coreenv/defconfig.yaml "$config.tmp"
        mv -f "$config.tmp" "$config"
    else
        skiff-core defconfig --config "$config"
    fi
fi
exec skiff-core --config "$config" setup --create-users
