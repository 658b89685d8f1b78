"""helm/chirp with the real helm (scripts/ensure-helm.sh): lint, and every manifest `helm template` renders, with the
default and the production values, valid against Kubernetes' schemas in strict mode (kubernetes-validate)."""

import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from services.registry import BUILT

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "chirp"
HELM = ROOT / ".venv" / "bin" / "helm"
KUBERNETES = "1.37.0"
VALUES = {"default": [], "production": ["-f", str(CHART / "values-production.yaml")]}


def helm(*argv: str) -> str:
    done = subprocess.run([str(HELM), *argv], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def rendered(values: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(helm("template", "chirp", str(CHART), *VALUES[values])) if doc]


def named(docs: list[dict], kind: str, name: str) -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


@pytest.mark.parametrize("values", VALUES)
def test_the_chart_lints(values):
    assert "0 chart(s) failed" in helm("lint", str(CHART), *VALUES[values])


@pytest.mark.parametrize("values", VALUES)
def test_every_rendered_manifest_is_valid_kubernetes_in_strict_mode(values):
    docs = rendered(values)
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    kinds = {d["kind"] for d in docs}
    assert kinds >= {"Deployment", "StatefulSet", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler",
                     "NetworkPolicy", "Ingress"}  # fmt: skip


def test_a_misspelt_field_fails_validation():
    deployment = named(rendered("default"), "Deployment", "chirp-timeline")
    deployment["spec"]["replica"] = 3
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_every_service_has_a_workload_with_grpc_probes_and_a_headless_service():
    docs = rendered("production")
    for service in BUILT:
        workload = next(d for d in docs if d["kind"] in ("Deployment", "StatefulSet") and d["metadata"]["name"] == f"chirp-{service.name}")
        app = workload["spec"]["template"]["spec"]["containers"][0]
        assert app["readinessProbe"]["grpc"]["port"] == app["livenessProbe"]["grpc"]["port"] == 50051
        assert {"name": "CHIRP_SERVICE", "value": service.name} in app["env"]
        assert [c["name"] for c in workload["spec"]["template"]["spec"]["containers"]] == [service.name, "envoy"]
        assert named(docs, "Service", f"chirp-{service.name}")["spec"]["clusterIP"] == "None"


def test_snowflake_worker_ids_and_search_replicas_are_pod_ordinals():
    docs = rendered("default")
    for name, variable in (("snowflake", "CHIRP_WORKER_ID"), ("search", "CHIRP_REPLICA")):
        env = named(docs, "StatefulSet", f"chirp-{name}")["spec"]["template"]["spec"]["containers"][0]["env"]
        ordinal = next(e for e in env if e["name"] == variable)
        assert ordinal["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['apps.kubernetes.io/pod-index']"


def test_network_policies_let_a_service_reach_only_what_it_calls():
    docs = rendered("default")
    for service in BUILT:
        policy = named(docs, "NetworkPolicy", f"chirp-{service.name}")
        reached = [rule for rule in policy["spec"]["egress"] if "to" in rule and "podSelector" in rule["to"][0]]
        peers = [to["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for rule in reached for to in rule["to"]]
        assert sorted(peers) == sorted(service.calls)
        callers = [to["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for to in policy["spec"]["ingress"][0]["from"]]
        assert set(callers) - {"edge", service.name} == {e.name for e in BUILT if service.name in e.calls}
