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
# bench:ml's AutoML table: FLAML and LightGBM. FLAML's AutoML imports xgboost; the CPU-only wheel is enough.
if ! .tools/bench/bin/python -c 'from flaml import AutoML; import lightgbm' 2>/dev/null; then
  echo "Installing the AutoML peers (flaml, lightgbm, xgboost-cpu)…"
  .tools/bench/bin/pip install --quiet --disable-pip-version-check flaml==2.3.6 lightgbm==4.6.0 xgboost-cpu==2.1.4
fi
# bench:ml's train stage: scikit-learn's side explains its model with the shap package's TreeExplainer, as Assay and
# LightGBM explain theirs (without it, that side of the comparison skips SHAP).
if ! .tools/bench/bin/python -c 'import shap' 2>/dev/null; then
  echo "Installing shap (TreeSHAP for scikit-learn's model)…"
  .tools/bench/bin/pip install --quiet --disable-pip-version-check shap==0.51.0
fi
exec node --import tsx "bench/$1.ts" "${@:2}"
