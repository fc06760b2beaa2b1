#!/usr/bin/env bash
# Install parity: the generated "parity" mirror (scripts, triggers, hard links, xattrs,
# setuid/setgid files, shared directories, owners by name and by number, devices, FIFOs)
# installed by Alpine's own apk.static 2.14.4 --no-scripts (under qemu-user) and by compose
# give the same tree and a byte-identical apk database; see apk_install_parity.py.
source "$(dirname "$0")/lib.sh"

[[ -d "$COMPOSE_SOURCE_DIR/../shared/data/alpine-real" ]] || { echo "SKIP: no alpine-real"; exit 77; }
command -v qemu-aarch64-static >/dev/null || { echo "SKIP: no qemu-aarch64-static"; exit 77; }

KEY=$("$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" --preset parity)
python3 "$COMPOSE_SOURCE_DIR/tests/e2e/apk_install_parity.py" "$WORK" "$WORK/mirror" "$WORK/trust" "$KEY" |
  tee "$WORK/parity.log"
