#!/bin/bash
# Builds the signed Amlogic FIP boot image for the ODROID-C2 with odroid/common's script.
set -euo pipefail
exec bash "${SKIFF_CONFIG_PATH_ODROID_COMMON:?run from the post_build.sh wrapper of skiff configure}/scripts/amlogic-fip.sh" odroid-c2
