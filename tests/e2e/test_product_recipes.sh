#!/usr/bin/env bash
# The shipped product recipes: `compose check` passes on every one and fails on a broken
# copy; the Alpine 3.22 dockerd and podman recipes, unchanged, build end to end against a
# generated, signed Alpine-format mirror that stands in for dl-cdn (its throwaway key under
# the real key's file name), with the Docker Compose download served locally; so do the
# 3.19-3.21 recipes, each from its own branch. Every output
# keeps miget's SSH directory at 700/600 owned by 1000:1000, has no SSH host keys and none of
# the builder's environment, and carries the product's tags for release 1.0.0.
source "$(dirname "$0")/lib.sh"
for tool in debugfs e2fsck; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
facts() { python3 "$COMPOSE_SOURCE_DIR/tests/support/image_facts.py" "$@"; }

# compose check: all shipped recipes, offline.
"$COMPOSE" check "$COMPOSE_SOURCE_DIR"/recipes/*.toml >"$WORK/check.txt" 2>&1 ||
  { cat "$WORK/check.txt" >&2; fail "compose check failed on the shipped recipes"; }
count=$(ls "$COMPOSE_SOURCE_DIR"/recipes/*.toml | wc -l)
[[ $(grep -c '^ok ' "$WORK/check.txt") -eq $count ]] || fail "not every recipe reported ok"

# A working copy of recipes/ (fragments and files included) for the builds below.
cp -r "$COMPOSE_SOURCE_DIR/recipes" "$WORK/recipes"
cp -r "$COMPOSE_SOURCE_DIR/keys" "$WORK/keys"

# Broken copies: each fails, naming the file and line and what is wrong.
check_fails() {
  local text=$1 file=$2 status=0
  "$COMPOSE" check "$file" >"$WORK/check-bad.txt" 2>&1 || status=$?
  [[ $status -ne 0 ]] || fail "compose check accepted $(basename "$file")"
  grep -qF -- "$text" "$WORK/check-bad.txt" || { cat "$WORK/check-bad.txt" >&2; fail "no: $text"; }
}
sed 's/^name = "miget"/name = "miget"\nshel = "\/bin\/sh"/' "$WORK/recipes/fragments/miget-base.toml" \
  >"$WORK/recipes/fragments/miget-typo.toml"
sed 's/miget-base.toml/miget-typo.toml/' "$WORK/recipes/alpine-3.22-dockerd.toml" \
  >"$WORK/recipes/bad-key.toml"
check_fails "miget-typo.toml:" "$WORK/recipes/bad-key.toml"
check_fails "shel" "$WORK/recipes/bad-key.toml"
sed 's/6165ee59.rsa.pub/00000000.rsa.pub/' "$WORK/recipes/fragments/alpine.toml" \
  >"$WORK/recipes/fragments/alpine-unknown-key.toml"
sed 's/fragments\/alpine.toml/fragments\/alpine-unknown-key.toml/' \
  "$WORK/recipes/alpine-3.22-dockerd.toml" >"$WORK/recipes/bad-trust.toml"
check_fails "alpine-devel@lists.alpinelinux.org-00000000.rsa.pub" "$WORK/recipes/bad-trust.toml"
rm "$WORK"/recipes/bad-*.toml "$WORK"/recipes/fragments/{miget-typo,alpine-unknown-key}.toml

# The stand-in mirror: real Alpine layout for v3.22, signed by a throwaway key that takes
# the file name of Alpine's 6165ee59 key. The trust configuration is the shipped one with
# that key's pin swapped for the throwaway's; the recipe's other two keys are the official
# files from the shared keys directory.
official=$COMPOSE_SOURCE_DIR/../shared/keys/alpine
[[ -d "$official" ]] || { echo "skipped: no official Alpine keys in $official"; exit 77; }
stand_in_key=alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub
"$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/stand-in-key" \
  --key-name "$stand_in_key" --branch v3.19,v3.20,v3.21,v3.22 >/dev/null
mkdir "$WORK/trust"
cp "$COMPOSE_SOURCE_DIR"/keys/*.toml "$WORK/trust/"
python3 - "$WORK/trust/alpine.toml" "$stand_in_key" \
  "$(sha256sum <"$WORK/stand-in-key/$stand_in_key" | cut -d' ' -f1)" <<'PY'
import re, sys
path, name, digest = sys.argv[1:]
text = open(path).read()
entry = re.search(r'name = "' + re.escape(name) + r'"(.*?)sha256 = "[0-9a-f]+"', text, re.S)
assert entry, "no pin for " + name
text = text[:entry.start()] + entry.group(0)[:-66] + '"' + digest + '"' + text[entry.end():]
open(path, "w").write(text)
PY
cdn=https://dl-cdn.alpinelinux.org/alpine
releases=https://github.com/docker/compose/releases/download

# The real recipe's Docker Compose pin cannot be met offline: a stand-in file under the
# release URL is refused for its digest, and nothing is written.
mkdir -p "$WORK/downloads/v2.40.0"
printf '#!/bin/sh\necho "Docker Compose version v2.40.0 (stand-in)"\n' \
  >"$WORK/downloads/v2.40.0/docker-compose-linux-x86_64"
start_http "$WORK/downloads"
build() { # build RECIPE OUT [ARGS...]
  local recipe=$1 out=$2
  shift 2
  COMPOSE_TEST_BUILDER_SECRET=builder-secret-7f3a9 SOURCE_DATE_EPOCH=1750000000 \
    "$COMPOSE" "$recipe" --trust-dir "$WORK/trust" --keys-dir "$WORK/stand-in-key" \
    --keys-dir "$official" \
    --cache-dir "$WORK/cache" --mirror "$cdn=file://$WORK/mirror" \
    --mirror "$releases=$HTTP_URL" --release-version 1.0.0 -o "$out" -q "$@" 2>>"$WORK/warnings"
}
status=0
build "$WORK/recipes/alpine-3.22-dockerd.toml" "$WORK/out-pin" || status=$?
mv "$WORK/warnings" "$WORK/pin.err"
[[ $status -eq 1 ]] || { cat "$WORK/pin.err" >&2; fail "a wrong download was accepted"; }
grep -q "bd5835ccbbf06a42dcb5294c65e34a4634b34447afb9ed6fc7adf18a000e0f99" "$WORK/pin.err" ||
  { cat "$WORK/pin.err" >&2; fail "the pin error does not name the expected digest"; }
[[ ! -e "$WORK/out-pin" ]] || [[ -z "$(ls -A "$WORK/out-pin")" ]] || fail "output after a pin error"

# From here the fragment pins the stand-in instead; every other byte is the shipped recipe.
stand_in=$(sha256sum <"$WORK/downloads/v2.40.0/docker-compose-linux-x86_64" | cut -d' ' -f1)
sed -i "s/^sha256 = .*/sha256 = \"$stand_in\"/" "$WORK/recipes/fragments/docker-compose.toml"

for flavour in dockerd podman; do
  name=alpine-3.22-$flavour
  build "$WORK/recipes/$name.toml" "$WORK/out" >/dev/null || fail "$name did not build"
  for kind in rootfs.tar oci.tar ext4; do
    output=$WORK/out/$name.$kind
    [[ -s "$output" ]] || fail "no $output"
    facts stat "$output" /home/miget/.ssh /home/miget/.ssh/authorized_keys \
      /usr/local/bin/docker-compose /usr/local/sbin/compose-init >"$WORK/stat.txt"
    expected="/home/miget/.ssh dir 0700 1000 1000 0
/home/miget/.ssh/authorized_keys file 0600 1000 1000 0
/usr/local/bin/docker-compose file 0755 0 0 $(stat -c %s "$WORK/downloads/v2.40.0/docker-compose-linux-x86_64")"
    [[ "$(head -n3 "$WORK/stat.txt")" == "$expected" ]] ||
      { cat "$WORK/stat.txt" >&2; fail "$name.$kind: SSH directory or docker-compose not as specified"; }
    grep -q "^/usr/local/sbin/compose-init file 0755 " "$WORK/stat.txt" || fail "$name.$kind: no init"
    facts list "$output" >"$WORK/list.txt"
    if grep -q '^/etc/ssh/ssh_host_' "$WORK/list.txt"; then fail "$name.$kind: baked host keys"; fi
    if facts contains "$output" builder-secret-7f3a9; then
      fail "$name.$kind: the builder's environment reached the image"
    fi
    # The mirror is a build detail: the image names the public repositories.
    if facts contains "$output" "$WORK"; then fail "$name.$kind: names the local mirror"; fi
    if grep -v '/copyright$' "$WORK/list.txt" | grep '^/usr/share/doc/.' >/dev/null; then
      fail "$name.$kind: documentation survived the clean-up"
    fi
  done
  e2fsck -fn "$WORK/out/$name.ext4" >/dev/null 2>&1 || fail "$name.ext4: e2fsck found problems"

  # The image configuration: our entrypoint, the recipe's PATH only, port 22, labels.
  facts oci-config "$WORK/out/$name.oci.tar" >"$WORK/config.json"
  python3 - "$WORK/config.json" "$name" <<'PY' || fail "$name: image configuration"
import json, sys
config = json.load(open(sys.argv[1]))["config"]
assert config["Entrypoint"] == ["/usr/local/sbin/compose-init"], config
assert config["Env"] == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], config
assert config["ExposedPorts"] == {"22/tcp": {}}, config
assert config["Labels"]["org.opencontainers.image.title"] == sys.argv[2], config
assert config["Labels"]["org.opencontainers.image.version"] == "1.0.0", config
PY

  # supervisord runs sshd, crond and the engine; the image's files say so.
  mkdir -p "$WORK/root-$flavour"
  tar -xf "$WORK/out/$name.rootfs.tar" -C "$WORK/root-$flavour"
  root=$WORK/root-$flavour
  # The set matters, not the order in the file (priority= orders the start).
  programs=$(grep -o '^\[program:[a-z]*\]' "$root/etc/supervisord.conf" | sort | tr '\n' ' ')
  grep -q '^miget:x:1000:1000::/home/miget:/bin/sh$' "$root/etc/passwd" || fail "$name: miget"
  grep -q '^miget:\*:' "$root/etc/shadow" || fail "$name: miget must have no password (*)"
  grep -q '^PermitRootLogin no$' "$root/etc/ssh/sshd_config" || fail "$name: root login"
  grep -q '^PasswordAuthentication no$' "$root/etc/ssh/sshd_config" || fail "$name: passwords"
  grep -q "exec '/usr/bin/supervisord' '--nodaemon' '--configuration' '/etc/supervisord.conf'" \
    "$root/usr/local/sbin/compose-init" || fail "$name: init does not hand over to supervisord"
  for directory in /run/sshd /var/run/sshd /var/spool/cron; do
    grep -q "mkdir -p '$directory'" "$root/usr/local/sbin/compose-init" ||
      fail "$name: init does not prepare $directory"
  done
  if [[ $flavour == dockerd ]]; then
    [[ "$programs" == "[program:containerd] [program:crond] [program:dockerd] [program:sshd] " ]] ||
      fail "$name: programs are: $programs"
    grep -q '^docker:x:[0-9]*:.*miget' "$root/etc/group" || fail "$name: miget not in docker"
    grep -q "LABEL=miget-data" "$root/usr/local/sbin/compose-init" || fail "$name: data disk"
    grep -q "'/var/lib/docker'" "$root/usr/local/sbin/compose-init" || fail "$name: data mount"
  else
    [[ "$programs" == "[program:crond] [program:podman] [program:sshd] " ]] ||
      fail "$name: programs are: $programs"
    for file in registries.conf policy.json storage.conf containers.conf; do
      cmp -s "$root/etc/containers/$file" "$COMPOSE_SOURCE_DIR/recipes/files/podman/$file" ||
        fail "$name: /etc/containers/$file is not the recipe's"
    done
    grep -q "'/var/lib/containers'" "$root/usr/local/sbin/compose-init" || fail "$name: data mount"
    # The API socket's group, the service wrapper that chooses storage, miget's remote default.
    grep -q '^podman:x:[0-9]*:.*miget' "$root/etc/group" || fail "$name: miget not in podman"
    cmp -s "$root/usr/local/sbin/podman-service" "$COMPOSE_SOURCE_DIR/recipes/files/podman/podman-service" &&
      [[ -x "$root/usr/local/sbin/podman-service" ]] || fail "$name: no podman-service"
    [[ -x "$root/usr/bin/fuse-overlayfs" ]] || fail "$name: no fuse-overlayfs"
    facts stat "$WORK/out/$name.rootfs.tar" /home/miget/.config/containers/containers.conf |
      grep -q " file 0644 1000 1000 " || fail "$name: miget's containers.conf"
  fi
done

# The tags of product.md for release 1.0.0, one manifest entry each.
facts oci-tags "$WORK/out/alpine-3.22-dockerd.oci.tar" | sort >"$WORK/tags.txt"
printf '%s\n' 1.0.0-alpine-3.22.0-dockerd 1.0.0-alpine3.22-dockerd 1.0.0-alpine3.22 \
  alpine3.22 latest-alpine stable-alpine3.22-dockerd | sort >"$WORK/tags-expected.txt"
diff "$WORK/tags-expected.txt" "$WORK/tags.txt" || fail "dockerd tags differ from product.md"
# show-config shows the same tags before building.
"$COMPOSE" show-config --release 1.0.0 "$WORK/recipes/alpine-3.22-dockerd.toml" |
  python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)["image"]["tags"]))' | sort |
  diff "$WORK/tags-expected.txt" - || fail "show-config --release shows other tags than the build"
facts oci-tags "$WORK/out/alpine-3.22-podman.oci.tar" | sort >"$WORK/tags.txt"
printf '%s\n' 1.0.0-alpine-3.22.0-podman 1.0.0-alpine3.22-podman stable-alpine3.22-podman |
  sort >"$WORK/tags-expected.txt"
diff "$WORK/tags-expected.txt" "$WORK/tags.txt" || fail "podman tags differ from product.md"

# The other Alpine releases build from their own branches, with their own tags.
for release in 3.19 3.20 3.21; do
  for flavour in dockerd podman; do
    name=alpine-$release-$flavour
    build "$WORK/recipes/$name.toml" "$WORK/out-$release" >/dev/null || fail "$name did not build"
    facts stat "$WORK/out-$release/$name.ext4" /home/miget/.ssh/authorized_keys |
      grep -x "/home/miget/.ssh/authorized_keys file 0600 1000 1000 0" >/dev/null || fail "$name: keys file"
    tar -xOf "$WORK/out-$release/$name.rootfs.tar" etc/apk/repositories |
      grep -x "$cdn/v$release/main" >/dev/null || fail "$name: not from the v$release branch"
    facts oci-tags "$WORK/out-$release/$name.oci.tar" | grep -x "stable-alpine$release-$flavour" >/dev/null ||
      fail "$name: tags"
  done
done

# A point release given on the command line reaches the tags.
build "$WORK/recipes/alpine-3.22-podman.toml" "$WORK/out-point" --point-release 3.22.2 >/dev/null ||
  fail "--point-release build"
facts oci-tags "$WORK/out-point/alpine-3.22-podman.oci.tar" | grep -x 1.0.0-alpine-3.22.2-podman >/dev/null ||
  fail "--point-release did not reach the tags"
# Into a file first: `| grep -q` under pipefail fails when grep stops reading before compose
# has written its last block (SIGPIPE), as it did once.
"$COMPOSE" show-config --release 1.0.0 --point-release 3.22.2 "$WORK/recipes/alpine-3.22-podman.toml" \
  >"$WORK/show-config.json" || fail "show-config --point-release failed"
grep -q '"1.0.0-alpine-3.22.2-podman"' "$WORK/show-config.json" || fail "show-config --point-release"
echo "product recipes checked; alpine-3.22 dockerd and podman built and verified"
