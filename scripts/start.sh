#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-setup.sh
exec node --import tsx scripts/start.ts
