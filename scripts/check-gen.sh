#!/usr/bin/env bash
# Fails when gen/ is not exactly what scripts/gen-protos.sh writes from protos/.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
GEN_OUT="$fresh/gen" bash scripts/gen-protos.sh >/dev/null
if ! diff -r -x __pycache__ "$fresh/gen" gen; then
  echo "gen/ is stale: run 'make gen' and commit the result" >&2
  exit 1
fi
echo "gen/: matches protos/"
