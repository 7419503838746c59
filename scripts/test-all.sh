#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs every gate:
# type check, lint and format, unit/mock/tool tests with coverage gates, and the
# local end-to-end run against real Prometheus, Alertmanager and exporters.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
npm ci --no-audit --no-fund
npm test
npm run e2e
