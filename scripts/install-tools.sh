#!/usr/bin/env bash
# Installs the real validators and servers the tests use (Debian packages).
# Tests that need one of them fail, never skip, when it is missing.
set -euo pipefail
PACKAGES=(
  prometheus                    # promtool, and the e2e Prometheus
  prometheus-alertmanager       # amtool, and the e2e Alertmanager
  prometheus-pushgateway
  prometheus-node-exporter
  prometheus-postgres-exporter
  prometheus-blackbox-exporter  # the e2e's synthetic probes, with the stack's modules
  postgresql postgresql-client  # backup script tests, e2e, benchmark
  restic
  ruby                          # runs the Logstash pipeline's generated Ruby filter on sample lines
  jq shellcheck time             # backup script (jq), its lint (shellcheck), bench:backup peak memory (time)
  curl                          # the backup script pushes its metrics with it (e2e, script tests)
)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts packaged services on install; the tests start their own on loopback.
for s in prometheus prometheus-alertmanager prometheus-pushgateway prometheus-node-exporter prometheus-postgres-exporter prometheus-blackbox-exporter postgresql; do
  (command -v systemctl >/dev/null && systemctl stop "$s" 2>/dev/null) || service "$s" stop >/dev/null 2>&1 || true
done
echo "tools: $(promtool --version 2>&1 | head -1 | cut -d' ' -f1-3); $(restic version | cut -d' ' -f1-2); pg $(ls /usr/lib/postgresql)"
