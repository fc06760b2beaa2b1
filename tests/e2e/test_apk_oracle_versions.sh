#!/usr/bin/env bash
# compose's Alpine readers against Alpine's own apk.static 2.14.4 (under qemu-user) on the real,
# signed indexes in ../shared/data/alpine-real: see apk_oracle_checks.py versions.
set -euo pipefail
: "${COMPOSE_FIXTURE:?set by CTest}" "${COMPOSE_SOURCE_DIR:?set by CTest}"
exec python3 "$COMPOSE_SOURCE_DIR/tests/e2e/apk_oracle_checks.py" versions
