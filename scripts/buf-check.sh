#!/usr/bin/env bash
# Lints the contracts with buf (STANDARD) and, when main has an earlier
# commit of protos/, checks them for breaking changes against it. Runs
# offline: the google/api protos come from googleapis-common-protos.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
buf="$(dirname "$python")/buf"
export HOME="${BUF_HOME:-$PWD/.cache/buf-home}"
mkdir -p "$HOME"

google_protos="$("$python" -c 'import google.api, os; print(os.path.dirname(os.path.dirname(google.api.__path__[0])))')"
rm -rf .buf-deps && mkdir -p .buf-deps/google/api
cp "$google_protos"/google/api/{annotations,http,field_behavior}.proto .buf-deps/google/api/

"$buf" lint
echo "buf lint: clean"

# Uncommitted contract changes are checked against HEAD; a clean tree (CI)
# against the commit before it.
if git diff --quiet HEAD -- protos 2>/dev/null; then default_against=HEAD~1; else default_against=HEAD; fi
against="${BUF_AGAINST:-$default_against}"
if git rev-parse --verify --quiet "$against:protos" >/dev/null; then
  previous="$(mktemp -d)"
  git archive "$against" protos buf.yaml | tar -x -C "$previous"
  cp -r .buf-deps "$previous/"
  "$buf" breaking --against "$previous"
  echo "buf breaking: no breaking change against $against"
  rm -rf "$previous"
else
  echo "buf breaking: skipped, $against has no protos/ yet"
fi
