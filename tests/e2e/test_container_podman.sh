#!/usr/bin/env bash
# debian-12-podman as a privileged container (see container_lib.sh): compose-init leaves the
# engine's mounts alone (bind mounts below /run, a tmpfs, a key file over authorized_keys),
# supervisord runs sshd, cron and podman's API service, and the service picks its storage by
# itself: native overlay on the /var/lib/containers volume of the first instance,
# fuse-overlayfs on the overlay root of the second, which has none. In each, miget logs in
# with a key and uses the API socket through the podman group (`podman --remote`, no
# environment): imports a one-file busybox image and runs it; in the first, the image and a
# named volume's file survive a stop and start. The two instances' SSH host keys differ.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"

build_image podman
programs=(sshd cron podman)
mkdir -p "$WORK/podman-state"
start_instance first --volume "$WORK/podman-state:/var/lib/containers"
start_instance second

# check_engine NAME STORAGE: the service chose STORAGE, answers miget, and runs a container.
check_engine() {
  local name=$1 storage=$2 answer= socket
  grep -q "^podman-service: storage: $storage" "$WORK/$name.log" || {
    grep "^podman-service:" "$WORK/$name.log" >&2
    fail "$name: podman-service did not choose $storage"
  }
  socket=$(podman_private exec "$name" stat -c '%U:%G %a' /run/podman/podman.sock)
  [[ "$socket" == "root:podman 660" ]] || fail "$name: the API socket is $socket"
  for _ in $(seq 30); do
    answer=$(as_miget "$name" "podman --remote info --format \
      '{{.Store.GraphDriverName}} {{index .Store.GraphOptions \"overlay.mount_program\"}}'" 2>&1) &&
      break
    sleep 2
  done
  echo "$name: podman answers miget: $answer"
  case $storage in
  native*) [[ "$answer" == "overlay <no value>" ]] ;;
  fuse*) [[ "$answer" == "overlay map[Executable:/usr/bin/fuse-overlayfs"* ]] ;;
  esac || fail "$name: podman --remote info as miget: $answer"
  run_busybox "$name" "podman --remote"
}

wait_running first "${programs[@]}"
check_container_world first
check_engine first "native overlay"

restart_instance first "${programs[@]}"
check_container_world first
check_kept first "podman --remote"

wait_running second "${programs[@]}"
check_container_world second
check_engine second fuse-overlayfs
check_host_keys first second
echo "the podman image works as a privileged container"
