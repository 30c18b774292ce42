#!/usr/bin/env bash
# Benchmarks run our engines and their Python peers side by side; the peers live in .tools/bench.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-setup.sh
if [ ! -x .tools/bench/bin/python ]; then
  echo "Installing the Python peers (pandas, scikit-learn)…"
  python3 -m venv .tools/bench
  .tools/bench/bin/pip install --quiet --disable-pip-version-check pandas==2.2.3 scikit-learn==1.5.2
fi
exec node --import tsx "bench/$1.ts" "${@:2}"
