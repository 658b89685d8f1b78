"""envoy/: current with the registry and the protos, parsed into Envoy's typed Bootstrap (a misspelt field fails),
clusters and routes matching what each service calls, retries only where an RPC can safely run twice."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from envoy.config.bootstrap.v3 import bootstrap_pb2
from envoy.extensions.filters.http.grpc_json_transcoder.v3 import transcoder_pb2  # noqa: F401  (registers the Any type)
from envoy.extensions.filters.http.router.v3 import router_pb2  # noqa: F401
from envoy.extensions.filters.network.http_connection_manager.v3 import http_connection_manager_pb2  # noqa: F401
from envoy.extensions.upstreams.http.v3 import http_protocol_options_pb2  # noqa: F401
from google.protobuf import descriptor_pb2, json_format

from services.common.rpc.service_config import is_idempotent
from services.registry import BUILT, entry

ROOT = Path(__file__).resolve().parents[2]
ENVOY = ROOT / "envoy"
CONFIGS = sorted(ENVOY.rglob("*.yaml"))


def parsed(path: Path) -> bootstrap_pb2.Bootstrap:
    return json_format.ParseDict(yaml.safe_load(path.read_text()), bootstrap_pb2.Bootstrap())


def hcm(listener) -> http_connection_manager_pb2.HttpConnectionManager:
    manager = http_connection_manager_pb2.HttpConnectionManager()
    listener.filter_chains[0].filters[0].typed_config.Unpack(manager)
    return manager


def test_the_generated_files_are_current(tmp_path):
    subprocess.run([sys.executable, "scripts/gen-deploy.py", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    for made in [*sorted((tmp_path / "envoy").rglob("*.*")), tmp_path / "helm/chirp/registry.json"]:
        committed = ROOT / made.relative_to(tmp_path)
        assert committed.read_bytes() == made.read_bytes(), f"{committed} is stale: run .venv/bin/python scripts/gen-deploy.py"


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ENVOY)))
def test_every_config_parses_into_a_typed_bootstrap(path):
    assert parsed(path).static_resources.listeners


def test_a_misspelt_field_is_refused():
    config = yaml.safe_load((ENVOY / "sidecars" / "graph.yaml").read_text())
    config["static_resources"]["clusters"][0]["conect_timeout"] = "1s"
    with pytest.raises(json_format.ParseError, match="conect_timeout"):
        json_format.ParseDict(config, bootstrap_pb2.Bootstrap())


@pytest.mark.parametrize("service", BUILT, ids=lambda e: e.name)
def test_a_sidecar_reaches_exactly_what_its_service_calls_retrying_only_idempotent_rpcs(service):
    config = parsed(ENVOY / "sidecars" / f"{service.name}.yaml")
    assert sorted(c.name for c in config.static_resources.clusters) == sorted(["local_app", *service.calls])
    for listener in config.static_resources.listeners[1:]:
        peer = entry(listener.name.removeprefix("outbound_"))
        routes = hcm(listener).route_config.virtual_hosts[0].routes
        by_path = {r.match.path: r for r in routes if r.match.path}
        assert set(by_path) == {f"/{peer.contract.full_name}/{m.name}" for m in peer.contract.methods}
        for path, route in by_path.items():
            assert route.route.cluster == peer.name
            assert route.route.HasField("retry_policy") == is_idempotent(path.rsplit("/", 1)[1]), path
            if route.route.HasField("retry_policy"):
                assert route.route.retry_policy.retry_on == "unavailable"
    for cluster in config.static_resources.clusters:
        assert cluster.health_checks[0].HasField("grpc_health_check") and cluster.HasField("outlier_detection")
        assert cluster.circuit_breakers.thresholds


def test_the_edge_transcodes_every_public_service_from_the_descriptor_set():
    config = parsed(ENVOY / "edge.yaml")
    manager = hcm(config.static_resources.listeners[0])
    transcoder = transcoder_pb2.GrpcJsonTranscoder()
    manager.http_filters[0].typed_config.Unpack(transcoder)
    descriptors = descriptor_pb2.FileDescriptorSet.FromString((ENVOY / "chirp.pb").read_bytes())
    described = {f"{f.package}.{s.name}" for f in descriptors.file for s in f.service}
    assert set(transcoder.services) == {e.contract.full_name for e in BUILT} and set(transcoder.services) <= described
    routed = {r.match.path for r in manager.route_config.virtual_hosts[0].routes}
    assert routed == {f"/{e.contract.full_name}/{m.name}" for e in BUILT for m in e.contract.methods}
