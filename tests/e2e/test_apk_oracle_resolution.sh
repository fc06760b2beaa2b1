#!/usr/bin/env bash
# Install sets compose's resolver chooses vs Alpine's own apk.static 2.14.4 (under qemu-user)
# on the real, signed v3.16-v3.18 indexes: 200 worlds a branch by default (COMPOSE_APK_WORLDS;
# apk_oracle_worlds.py).
# ctest-label: slow
set -euo pipefail
: "${COMPOSE_FIXTURE:?set by CTest}" "${COMPOSE_SOURCE_DIR:?set by CTest}"
exec python3 "$COMPOSE_SOURCE_DIR/tests/e2e/apk_oracle_checks.py" resolution "${COMPOSE_APK_WORLDS:-200}"
