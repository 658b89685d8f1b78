#!/usr/bin/env bash
# Writes all of gen/ from protos/: Python messages, gRPC stubs and .pyi stubs.
# Nobody edits gen/ by hand; CI fails when running this changes anything.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
google_protos="$("$python" -c 'import google.api, os; print(os.path.dirname(os.path.dirname(google.api.__path__[0])))')"

out="${GEN_OUT:-gen}"
rm -rf "$out" && mkdir -p "$out"
mapfile -t protos < <(find protos/chirp -name '*.proto' | sort)
"$python" -m grpc_tools.protoc -I protos -I "$google_protos" \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" "${protos[@]}"
find "$out/chirp" -type d -exec touch {}/__init__.py \;
echo "$out: $(find "$out" -name '*.py' | wc -l) files from ${#protos[@]} protos"
