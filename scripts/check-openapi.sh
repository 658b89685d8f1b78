#!/usr/bin/env bash
# Fails when docs/openapi.json is not exactly what the gateway generates from the contracts' http rules.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m services.gateway.openapi --check
