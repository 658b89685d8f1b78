#!/usr/bin/env bash
# Makes .venv with everything the mesh and its tests need, on a fresh Debian
# machine too: installs Debian's python3-venv first when venv is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"

if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  echo "setup: installing python3-venv from Debian"
  apt-get update -qq && apt-get install -y -qq python3-venv python3-dev >/dev/null
fi
stamp=.venv/.installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "setup: installing Python packages into .venv"
  "$python" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
  touch "$stamp"
fi
