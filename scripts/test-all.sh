#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs every gate.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
npm ci --no-audit --no-fund
npm test
