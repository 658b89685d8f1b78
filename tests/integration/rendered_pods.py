"""The chart's rendered workloads run as local processes: each container's environment as Kubernetes would give it
(the ConfigMap and Secrets it names, its own `env`, a pod ordinal of 0), with only the addresses moved to loopback
(listen ports, peers' targets, the backing servers, a data directory and a bus namespace of the test's own)."""

import subprocess
import sys
from pathlib import Path

from services.common.runtime.config import Settings


def data_of(docs: list[dict], kind: str, name: str) -> dict[str, str]:
    doc = next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)
    return dict(doc.get("data") or {}) if kind == "ConfigMap" else dict(doc["stringData"])


def container_env(docs: list[dict], container: dict) -> dict[str, str]:
    """What the kubelet would set: envFrom sources first, then `env` (secretKeyRef, configMapKeyRef, the pod index)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        kind, ref = ("ConfigMap", source["configMapRef"]) if "configMapRef" in source else ("Secret", source["secretRef"])
        env.update(data_of(docs, kind, ref["name"]))
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = str(variable["value"])
            continue
        source = variable["valueFrom"]
        if "secretKeyRef" in source:
            ref, data = source["secretKeyRef"], data_of(docs, "Secret", source["secretKeyRef"]["name"])
            if ref["key"] in data or not ref.get("optional"):  # an optional key that is absent sets nothing
                env[variable["name"]] = data[ref["key"]]
        elif "configMapKeyRef" in source:
            env[variable["name"]] = data_of(docs, "ConfigMap", source["configMapKeyRef"]["name"])[source["configMapKeyRef"]["key"]]
        else:
            assert source["fieldRef"]["fieldPath"] == "metadata.labels['apps.kubernetes.io/pod-index']", source
            env[variable["name"]] = "0"
    return env


def on_loopback(env: dict[str, str], settings: Settings, port: int, ports: dict[str, int], data_dir: Path) -> dict[str, str]:
    """The pod's environment with its addresses on this machine: every other setting is the chart's."""
    moved = {**env, "CHIRP_LISTEN": f"127.0.0.1:{port}", "CHIRP_METRICS_LISTEN": "off", "CHIRP_DATA_DIR": str(data_dir),
             "CHIRP_DATABASE_URL": settings.database_url, "CHIRP_REDIS_URL": settings.redis_url,
             "CHIRP_RABBITMQ_URL": settings.rabbitmq_url, "CHIRP_BUS_NAMESPACE": settings.bus_namespace}  # fmt: skip
    for name, peer_port in ports.items():
        if f"CHIRP_{name.upper()}_TARGET" in env:
            moved[f"CHIRP_{name.upper()}_TARGET"] = f"127.0.0.1:{peer_port}"
    return moved


def start_pod(env: dict[str, str], log: Path) -> subprocess.Popen:
    """The image's entrypoint (`chirp-mesh`, the Dockerfile's) with exactly this environment, nothing of the test's."""
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "services.mesh"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=Path(__file__).resolve().parents[2])  # fmt: skip
