#!/usr/bin/env bash
# The product image runs as a privileged OCI container: debian-12-dockerd built from the test
# mirror, started by podman from its .oci.tar with compose-init as the entrypoint, brings up
# sshd, cron and dockerd under supervisord (all RUNNING), and dockerd answers. Podman keeps
# its storage under the work directory (--root/--runroot), so the host's is untouched.
# Needs root (privileged containers).
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
command -v podman >/dev/null || { echo "skipped: podman is not installed"; exit 77; }
[[ $(id -u) -eq 0 ]] || fail "a privileged container needs root"

mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"
SOURCE_DATE_EPOCH=1750000000 "$COMPOSE" "$COMPOSE_SOURCE_DIR/recipes/debian-12-dockerd.toml" \
  --mirror "host-apt=file://$mirror" -o "$WORK/out" --cache-dir "$WORK/cache" -q >/dev/null ||
  fail "building debian-12-dockerd failed"
rm -rf "$WORK/cache"

# A private podman: storage, runtime state and events under $WORK; cgroupfs since the host
# need not run systemd. runc when installed: crun refuses hosts with hybrid cgroups (v1
# hierarchies plus a cgroup2 mount with controllers), as some CI machines and VMs have.
runtime=()
command -v runc >/dev/null && runtime=(--runtime "$(command -v runc)")
podman_private() {
  podman --root "$WORK/podman/root" --runroot "$WORK/podman/run" --cgroup-manager cgroupfs \
    --events-backend file --tmpdir "$WORK/podman/tmp" "${runtime[@]}" "$@"
}
container=
cleanup() {
  if [[ -n "$container" ]]; then
    podman_private rm --force --time 10 "$container" >/dev/null 2>&1 || true
  fi
  # Layers are owned by root and may be mounted; podman itself takes them apart.
  podman_private system reset --force >/dev/null 2>&1 || true
}
# finish reads the exit status, so it is handed on past the clean-up.
trap 'status=$?; cleanup; (exit $status); finish' EXIT

# No network: dockerd makes its bridge inside the container's own namespace, and nothing on
# the host changes. The engine's state goes on a volume, as it would on the data disk.
# Podman as root raises the open-file and process limits to 1048576, which fails where root
# lacks CAP_SYS_RESOURCE (sandboxes, some CI runners): ask for the hard limits we have, the
# process one capped at pid_max (more processes cannot exist; some kernels refuse more).
files=$(ulimit -Hn)
processes=$(ulimit -Hu)
pid_max=$(cat /proc/sys/kernel/pid_max)
if [[ $processes == unlimited ]] || ((processes > pid_max)); then processes=$pid_max; fi
mkdir -p "$WORK/podman/tmp" "$WORK/docker-state"
container=$(podman_private run --privileged --detach --network none \
  --ulimit "nofile=$files:$files" --ulimit "nproc=$processes:$processes" \
  --volume "$WORK/docker-state:/var/lib/docker" \
  "oci-archive:$WORK/out/debian-12-dockerd.oci.tar:debian12-dockerd") ||
  fail "podman run failed"

# Bounded wait: supervisord starts the programs within seconds; dockerd needs a few more.
listing=
for _ in $(seq 60); do
  listing=$(podman_private exec "$container" supervisorctl status 2>&1) || true
  if grep -q "^sshd  *RUNNING" <<<"$listing" && grep -q "^cron  *RUNNING" <<<"$listing" &&
    grep -q "^dockerd  *RUNNING" <<<"$listing"; then
    break
  fi
  state=$(podman_private inspect --format '{{.State.Status}}' "$container" 2>/dev/null || true)
  [[ "$state" == "running" ]] || {
    podman_private logs "$container" 2>&1 | tail -40 >&2
    fail "the container stopped (state '$state')"
  }
  sleep 2
done
echo "$listing"
for program in sshd cron containerd dockerd; do
  grep -q "^$program  *RUNNING" <<<"$listing" || {
    podman_private logs "$container" 2>&1 | tail -40 >&2
    fail "$program is not RUNNING in the container"
  }
done
podman_private logs "$container" >"$WORK/container.log" 2>&1
grep -q "^compose-init: starting /usr/bin/supervisord" "$WORK/container.log" ||
  fail "compose-init did not hand over to supervisord"
# RUNNING is not readiness: dockerd must answer on its socket.
answer=
for _ in $(seq 30); do
  answer=$(podman_private exec "$container" docker info --format '{{.ServerVersion}}' 2>&1) &&
    break
  sleep 2
done
[[ "$answer" =~ ^[0-9]+\.[0-9]+ ]] || fail "docker info in the container: $answer"
echo "dockerd $answer answers in the container"

podman_private stop --time 20 "$container" >/dev/null || fail "podman stop failed"
podman_private rm "$container" >/dev/null || fail "podman rm failed"
container=
echo "the dockerd image ran as a privileged container; stopped and removed"
