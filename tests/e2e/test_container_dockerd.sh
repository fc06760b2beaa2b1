#!/usr/bin/env bash
# debian-12-dockerd as a privileged container (see container_lib.sh): compose-init leaves the
# engine's mounts alone (bind mounts below /run, a tmpfs, a key file over authorized_keys),
# supervisord runs sshd, cron, containerd and dockerd, miget logs in with a key and uses
# dockerd through the docker group: imports a one-file busybox image and runs it, writes to a
# named volume; both survive a stop and start of the container, whose /var/lib/docker is a
# volume. A second instance, without the volume, makes its own SSH host keys.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"

build_image dockerd
programs=(sshd cron containerd dockerd)
mkdir -p "$WORK/docker-state"
start_instance first --volume "$WORK/docker-state:/var/lib/docker"
start_instance second
wait_running first "${programs[@]}"
check_container_world first

# RUNNING is not readiness: dockerd must answer on its socket, here for miget.
answer=
for _ in $(seq 30); do
  answer=$(as_miget first "docker info --format '{{.ServerVersion}} {{.Driver}}'" 2>&1) && break
  sleep 2
done
[[ "$answer" =~ ^[0-9]+\.[0-9]+ ]] || fail "docker info as miget: $answer"
echo "first: dockerd answers miget: $answer"

run_busybox first docker

restart_instance first "${programs[@]}"
check_container_world first
check_kept first docker

wait_running second "${programs[@]}"
check_container_world second
check_host_keys first second
echo "the dockerd image works as a privileged container"
