# The container world, shared by test_container_dockerd.sh and test_container_podman.sh
# (sourced after lib.sh): a product image built from the test mirror runs as an operator runs
# it, `podman run --privileged` (runc) with bind mounts below /run, a key file mounted over
# miget's authorized_keys, a --tmpfs and, for some instances, the engine's state directory as
# a volume. A private podman keeps its storage under $WORK (--root/--runroot), so the host's
# is untouched. Needs root (privileged containers).
command -v podman >/dev/null || { echo "skipped: podman is not installed"; exit 77; }
[[ $(id -u) -eq 0 ]] || fail "a privileged container needs root"
for tool in nsenter ssh ssh-keygen ssh-keyscan; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
[[ -x /bin/busybox ]] || { echo "skipped: no /bin/busybox (busybox-static)"; exit 77; }

# build_image FLAVOUR: recipes/debian-12-FLAVOUR.toml from the test mirror into $WORK/out;
# sets IMAGE to its OCI archive reference.
build_image() {
  local mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
  "$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"
  SOURCE_DATE_EPOCH=1750000000 "$COMPOSE" "$COMPOSE_SOURCE_DIR/recipes/debian-12-$1.toml" \
    --mirror "host-apt=file://$mirror" -o "$WORK/out" --cache-dir "$WORK/cache" -q \
    >/dev/null 2>"$WORK/build.err" || { cat "$WORK/build.err" >&2; fail "building debian-12-$1 failed"; }
  rm -rf "$WORK/cache"
  IMAGE="oci-archive:$WORK/out/debian-12-$1.oci.tar:debian12-$1"
}

# A private podman: storage and events under $WORK, runtime state in a short directory of
# its own (podman refuses a runroot longer than 50 characters); cgroupfs since the host
# need not run systemd. runc when installed: crun refuses hosts with hybrid cgroups (v1
# hierarchies plus a cgroup2 mount with controllers), as some CI machines and VMs have.
runtime=()
command -v runc >/dev/null && runtime=(--runtime "$(command -v runc)")
RUNROOT=$(mktemp -d /tmp/podman-run.XXXXXX)
podman_private() {
  podman --root "$WORK/podman/root" --runroot "$RUNROOT" --cgroup-manager cgroupfs \
    --events-backend file --tmpdir "$WORK/podman/tmp" "${runtime[@]}" "$@"
}
CONTAINERS=()
cleanup_containers() {
  local container
  for container in "${CONTAINERS[@]}"; do
    podman_private rm --force --time 10 "$container" >/dev/null 2>&1 || true
  done
  # Layers are owned by root and may be mounted; podman itself takes them apart.
  podman_private system reset --force >/dev/null 2>&1 || true
  rm -rf "$RUNROOT"
}
# finish reads the exit status, so it is handed on past the clean-up.
trap 'status=$?; cleanup_containers; (exit $status); finish' EXIT

# The operator's side: a login key, a key file to mount over authorized_keys (root's, 0644,
# as a host file usually is: the entrypoint must make it miget's and 600), a directory to
# bind below /run, and a one-file image made from Debian's static busybox.
mkdir -p "$WORK/podman/tmp" "$WORK/run-x" "$WORK/busybox-root/bin"
ssh-keygen -q -t ed25519 -N "" -C "container-test" -f "$WORK/key"
echo "bound below /run" >"$WORK/run-x/marker"
cp /bin/busybox "$WORK/busybox-root/bin/busybox"
tar -C "$WORK/busybox-root" -cf "$WORK/busybox.tar" bin

# start_instance NAME [PODMAN-RUN-ARGS...]: a new privileged container of $IMAGE with no
# network, /run/x bound read-only, a tmpfs at /run/scratch and its own copy of the key file
# mounted over authorized_keys; extra arguments (volumes) go before the image.
start_instance() {
  local name=$1
  shift
  # Podman as root raises the open-file and process limits to 1048576, which fails where
  # root lacks CAP_SYS_RESOURCE (sandboxes, some CI runners): ask for the hard limits we
  # have, the process one capped at pid_max (some kernels refuse more).
  local files processes pid_max
  files=$(ulimit -Hn)
  processes=$(ulimit -Hu)
  pid_max=$(cat /proc/sys/kernel/pid_max)
  if [[ $processes == unlimited ]] || ((processes > pid_max)); then processes=$pid_max; fi
  cp "$WORK/key.pub" "$WORK/authorized_keys-$name"
  chmod 0644 "$WORK/authorized_keys-$name"
  podman_private run --privileged --detach --name "$name" --network none \
    --ulimit "nofile=$files:$files" --ulimit "nproc=$processes:$processes" \
    --volume "$WORK/run-x:/run/x:ro" --tmpfs /run/scratch:size=16m \
    --volume "$WORK/authorized_keys-$name:/home/miget/.ssh/authorized_keys" \
    "$@" "$IMAGE" >/dev/null || fail "podman run $name failed"
  CONTAINERS+=("$name")
}

# wait_running NAME PROGRAM...: every listed program RUNNING and none in another state.
wait_running() {
  local name=$1 listing='' state
  shift
  for _ in $(seq 90); do
    listing=$(podman_private exec "$name" supervisorctl status 2>&1) || true
    local all=1 program
    for program in "$@"; do grep -q "^$program  *RUNNING" <<<"$listing" || all=0; done
    ((all)) && break
    state=$(podman_private inspect --format '{{.State.Status}}' "$name" 2>/dev/null || true)
    [[ "$state" == "running" ]] || {
      podman_private logs "$name" 2>&1 | tail -40 >&2
      fail "$name stopped (state '$state')"
    }
    sleep 2
  done
  echo "$name: $(tr -s ' ' <<<"$listing" | cut -d' ' -f1,2 | tr '\n' ' ')"
  local program
  for program in "$@"; do
    grep -q "^$program  *RUNNING" <<<"$listing" || {
      podman_private logs "$name" 2>&1 | tail -40 >&2
      fail "$program is not RUNNING in $name"
    }
  done
  if grep -v "RUNNING" <<<"$listing" | grep -q .; then
    fail "$name has programs not RUNNING: $listing"
  fi
}

# as_miget NAME COMMAND: COMMAND run over a key login as miget, from the host's ssh client
# inside the container's network namespace (it has no other network).
as_miget() {
  local pid
  pid=$(podman_private inspect --format '{{.State.Pid}}' "$1")
  nsenter -t "$pid" -n ssh -i "$WORK/key" -p 22 -o BatchMode=yes -o ConnectTimeout=10 \
    -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$WORK/known_hosts-$1" \
    -o LogLevel=ERROR miget@127.0.0.1 "$2"
}

# host_key NAME: the ed25519 host key sshd in NAME offers.
host_key() {
  local pid
  pid=$(podman_private inspect --format '{{.State.Pid}}' "$1")
  nsenter -t "$pid" -n ssh-keyscan -t ed25519 127.0.0.1 2>/dev/null | awk '{ print $3 }'
}

# check_container_world NAME: what the engine set up is still there and the entrypoint
# said why it left it alone.
check_container_world() {
  local name=$1
  podman_private logs "$name" >"$WORK/$name.log" 2>&1
  grep -q "^compose-init: container (/run/.containerenv container=podman" "$WORK/$name.log" || {
    cat "$WORK/$name.log" >&2
    fail "$name: compose-init did not decide on the container world from podman's evidence"
  }
  if grep -q "^compose-init: mounts done" "$WORK/$name.log"; then
    fail "$name: compose-init made its VM mounts in a container"
  fi
  grep -m 1 "^compose-init: container" "$WORK/$name.log"
  grep "^podman-service:" "$WORK/$name.log" | tail -n 2 || true
  grep -q "^compose-init: starting /usr/bin/supervisord" "$WORK/$name.log" ||
    fail "$name: compose-init did not hand over to supervisord"
  [[ "$(podman_private exec "$name" ls /run/x)" == marker ]] ||
    fail "$name: the bind mount on /run/x is hidden"
  podman_private exec "$name" test -f /run/.containerenv ||
    fail "$name: /run/.containerenv is hidden"
  podman_private exec "$name" grep -q "^tmpfs /run/scratch tmpfs" /proc/mounts ||
    fail "$name: the --tmpfs on /run/scratch is gone"
  if podman_private exec "$name" grep -q "^[^ ]* /run tmpfs" /proc/mounts; then
    fail "$name: a tmpfs was mounted over /run"
  fi
  local modes
  modes=$(podman_private exec "$name" stat -c '%n %a %U %G' /home/miget/.ssh \
    /home/miget/.ssh/authorized_keys)
  [[ "$modes" == "/home/miget/.ssh 700 miget miget
/home/miget/.ssh/authorized_keys 600 miget miget" ]] || fail "$name: SSH modes: $modes"
  [[ "$(as_miget "$name" 'id -un')" == miget ]] || fail "$name: no key login as miget"
  echo "$name: engine's mounts visible, ~/.ssh 700/600 miget, key login as miget"
}

# restart_instance NAME PROGRAM...: stop and start the same container, then wait again.
restart_instance() {
  local name=$1
  shift
  podman_private stop --time 20 "$name" >/dev/null || fail "podman stop $name failed"
  podman_private start "$name" >/dev/null || fail "podman start $name failed"
  wait_running "$name" "$@"
}

# check_host_keys A B: both instances made host keys at start, and not the same ones.
check_host_keys() {
  local first second
  first=$(host_key "$1")
  second=$(host_key "$2")
  [[ -n "$first" && -n "$second" ]] || fail "no ed25519 host key offered"
  [[ "$first" != "$second" ]] || fail "$1 and $2 share their SSH host key"
  grep -qF "$first" "$WORK/known_hosts-$1" || fail "$1: the login saw another host key"
  echo "host keys made at start, different in $1 and $2"
}

# run_busybox NAME CLIENT: miget imports the one-file busybox image with CLIENT ("docker" or
# "podman --remote") and runs it, writing a file to the named volume `kept`.
run_busybox() {
  local name=$1 client=$2 said
  podman_private cp "$WORK/busybox.tar" "$name:/tmp/busybox.tar" || fail "podman cp"
  as_miget "$name" "$client import /tmp/busybox.tar compose-test/busybox:1 >/dev/null" ||
    fail "$name: $client import as miget"
  said=$(as_miget "$name" "$client run --rm --network none -v kept:/data \
    compose-test/busybox:1 /bin/busybox sh -c \
    'echo written-before-restart >/data/file; echo hello from busybox'") ||
    fail "$name: $client run as miget: $said"
  [[ "$said" == "hello from busybox" ]] || fail "$name: the busybox container said: $said"
  echo "$name: miget imported a busybox image and ran it"
}

# check_kept NAME CLIENT: after a restart the image and the volume's file are still there
# (the engine needs a moment after RUNNING to answer).
check_kept() {
  local name=$1 client=$2 kept=
  for _ in $(seq 30); do
    kept=$(as_miget "$name" "$client run --rm --network none -v kept:/data \
      compose-test/busybox:1 /bin/busybox cat /data/file" 2>&1) && break
    sleep 2
  done
  [[ "$kept" == written-before-restart ]] || fail "$name: after the restart: $kept"
  echo "$name: the image and the volume's file survived a stop and start"
}
