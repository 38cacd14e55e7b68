#!/bin/bash
# buildimage: docker build of skiffos/skiffos:latest from images/rootfs.tar.
# run: (re)start it as the privileged container "skiff" with a persist volume.
# exec: open a shell inside it.
set -euo pipefail
: "${BUILDROOT_DIR:?run through skiff cmd (BUILDROOT_DIR is the workspace)}"
: "${SKIFF_CURRENT_CONF_DIR:?run through skiff cmd}"
images="${BUILDROOT_DIR}/images"
[ -d "$images" ] || images="${BUILDROOT_DIR}/output/images"
tag="${SKIFF_DOCKER_TAG:-skiffos/skiffos:latest}"
case "${1:-}" in
buildimage)
    [ -f "$images/rootfs.tar" ] || { echo "virt/docker: $images/rootfs.tar is missing; build first" >&2; exit 1; }
    cp "$SKIFF_CURRENT_CONF_DIR/resources/Dockerfile" "$images/Dockerfile"
    docker build -t "$tag" "$images"
    ;;
run)
    persist="${BUILDROOT_DIR}/docker-run/docker-persist"
    mkdir -p "$persist"
    docker rm -f skiff >/dev/null 2>&1 || true
    docker run -d --name skiff --privileged --net=host --ipc=host --uts=host --cgroupns=host \
        -v /dev:/dev -v /lib/modules:/lib/modules:ro -v /run/udev:/run/udev \
        -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "$persist:/mnt/persist" "$tag"
    ;;
exec)
    exec docker exec -it skiff bash
    ;;
*)
    echo "usage: docker.sh buildimage|run|exec" >&2
    exit 1
    ;;
esac
