"""envoy/: current with the registry and the protos, parsed into Envoy's typed Bootstrap (a misspelt field fails),
clusters and routes matching what each service calls, retries only where an RPC can safely run twice.

The typed parse runs in .venv-envoy (scripts/ensure-tools.sh): the xds-protos wheel carries its own copies of
google.api and opentelemetry.proto, so it stays out of the mesh's environment; the rest reads the YAML here."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2

from services.common.rpc.service_config import is_idempotent
from services.registry import BUILT, entry

ROOT = Path(__file__).resolve().parents[2]
ENVOY = ROOT / "envoy"
CONFIGS = sorted(ENVOY.rglob("*.yaml"))
TYPED_CHECK = [str(ROOT / ".venv-envoy" / "bin" / "python"), str(ROOT / "scripts" / "check-envoy-typed.py")]


def config(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def routes(listener: dict) -> list[dict]:
    return listener["filter_chains"][0]["filters"][0]["typed_config"]["route_config"]["virtual_hosts"][0]["routes"]


def test_the_generated_files_are_current(tmp_path):
    subprocess.run([sys.executable, "scripts/gen-deploy.py", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    for made in [*sorted((tmp_path / "envoy").rglob("*.*")), tmp_path / "helm/chirp/registry.json"]:
        committed = ROOT / made.relative_to(tmp_path)
        assert committed.read_bytes() == made.read_bytes(), f"{committed} is stale: run .venv/bin/python scripts/gen-deploy.py"


def test_every_config_parses_into_envoys_typed_bootstrap():
    done = subprocess.run([*TYPED_CHECK, *map(str, CONFIGS)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_misspelt_field_is_refused(tmp_path):
    broken = config(ENVOY / "sidecars" / "graph.yaml")
    broken["static_resources"]["clusters"][0]["conect_timeout"] = "1s"
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken))
    done = subprocess.run([*TYPED_CHECK, str(tmp_path / "broken.yaml")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "conect_timeout" in done.stdout


@pytest.mark.parametrize("service", BUILT, ids=lambda e: e.name)
def test_a_sidecar_reaches_exactly_what_its_service_calls_retrying_only_idempotent_rpcs(service):
    resources = config(ENVOY / "sidecars" / f"{service.name}.yaml")["static_resources"]
    assert sorted(c["name"] for c in resources["clusters"]) == sorted(["local_app", *service.calls])
    for listener in resources["listeners"][1:]:
        peer = entry(listener["name"].removeprefix("outbound_"))
        by_path = {r["match"]["path"]: r["route"] for r in routes(listener) if "path" in r["match"]}
        assert set(by_path) == {f"/{peer.contract.full_name}/{m.name}" for m in peer.contract.methods}
        for path, route in by_path.items():
            assert route["cluster"] == peer.name
            assert ("retry_policy" in route) == is_idempotent(path.rsplit("/", 1)[1]), path
            assert route.get("retry_policy", {"retry_on": "unavailable"})["retry_on"] == "unavailable"
    for cluster in resources["clusters"]:
        assert "grpc_health_check" in cluster["health_checks"][0] and cluster["outlier_detection"] and cluster["circuit_breakers"]


def edge_rpcs() -> dict[str, set[str]]:
    """The RPCs with a google.api.http rule, by service, read from the descriptor set the edge loads."""
    descriptors = descriptor_pb2.FileDescriptorSet.FromString((ENVOY / "chirp.pb").read_bytes())
    found: dict[str, set[str]] = {}
    for file in descriptors.file:
        for service in file.service:
            for method in service.method:
                if method.options.HasExtension(annotations_pb2.http):
                    found.setdefault(f"{file.package}.{service.name}", set()).add(f"/{file.package}.{service.name}/{method.name}")
    return found


def test_the_edge_routes_only_the_rpcs_with_an_http_rule_and_transcodes_only_their_services():
    listener = config(ENVOY / "edge.yaml")["static_resources"]["listeners"][0]
    manager = listener["filter_chains"][0]["filters"][0]["typed_config"]
    transcoder = manager["http_filters"][0]["typed_config"]
    public = edge_rpcs()
    assert set(transcoder["services"]) == set(public) and set(public) <= {e.contract.full_name for e in BUILT}
    assert transcoder["request_validation_options"]["reject_unknown_method"] is True
    by_path = {r["match"]["path"]: r for r in routes(listener)}
    assert set(by_path) == set().union(*public.values())
    assert [r for r in routes(listener) if "prefix" in r["match"]] == []  # no catch-all: anything else is a 404
    internal = {f"/{e.contract.full_name}/{m.name}" for e in BUILT for m in e.contract.methods} - set(by_path)
    assert "/chirp.tweet.v1.TweetService/ScanTweets" in internal  # e.g. Search's rebuild scan stays inside the mesh
    for path, route in by_path.items():
        assert ("retry_policy" in route["route"]) == is_idempotent(path.rsplit("/", 1)[1]), path


def test_the_edge_takes_the_client_address_from_one_trusted_hop():
    manager = config(ENVOY / "edge.yaml")["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    assert manager["use_remote_address"] is True and manager["xff_num_trusted_hops"] == 1  # the Ingress controller
