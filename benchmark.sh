#!/usr/bin/env bash
# The benchmark suite, as the seed's benchmark.sh was: installs what it needs (as
# `make test` does), then runs the default scenarios of bench/run.ts (under 5 minutes
# on 2 cores) and writes bench/results/*.json and bench/results/SUMMARY.md.
#   ./benchmark.sh [--quick] [warm|cold|cpu|cluster|density|overhead|sandbox|runtime ...]
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/usr/local/bin:$PATH"
make --no-print-directory -s install system-packages >/dev/null
exec node --no-node-snapshot --expose-gc bench/run.ts "$@"
