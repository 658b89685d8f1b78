"""Writes what deployment reads from the registry and the contracts: envoy/ (a sidecar bootstrap per service,
the edge's, which transcodes REST to gRPC with grpc_json_transcoder, and the descriptor set it reads) and the
Helm chart's registry.json. Nobody edits them by hand; `make test` fails when they are stale.

    .venv/bin/python scripts/gen-deploy.py [ROOT]      (default: the repository; tests write elsewhere)

Names and ports match the chart: each service's pods sit behind the headless Service `chirp-<name>`, the app
listens on 50051, its sidecar takes calls on 15000 and offers one local port per peer it calls.
"""

import json
import subprocess
import sys
from pathlib import Path

import google.api
import yaml
from google.api import annotations_pb2

from services.common.rpc.service_config import is_idempotent
from services.registry import BUILT, ServiceEntry, entry

APP_PORT, INBOUND_PORT, FIRST_OUTBOUND_PORT, EDGE_PORT, ADMIN_PORT = 50051, 15000, 15100, 8080, 9901
DESCRIPTOR_PATH = "/etc/envoy/chirp.pb"  # where the chart mounts it in the edge pod
TYPE = "type.googleapis.com/envoy.extensions"
ROUTER = {"name": "envoy.filters.http.router", "typed_config": {"@type": f"{TYPE}.filters.http.router.v3.Router"}}
HTTP2 = {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
    "@type": f"{TYPE}.upstreams.http.v3.HttpProtocolOptions", "explicit_http_config": {"http2_protocol_options": {}}}}  # fmt: skip
RETRY = {"retry_on": "unavailable", "num_retries": 3, "per_try_timeout": "2s",
         "retry_back_off": {"base_interval": "0.05s", "max_interval": "1s"}}  # fmt: skip
CALL_TIMEOUT = "10s"
EDGE_TRUSTED_HOPS = 1  # the Ingress controller in front of the edge (the chart rewrites it: values edge.xffTrustedHops)
LOCAL = "127.0.0.1"


def outbound_port(peer: str) -> int:
    """The local port a sidecar offers for calls to `peer` (fixed by the registry's order)."""
    return FIRST_OUTBOUND_PORT + [e.name for e in BUILT].index(peer)


def address(host: str, port: int) -> dict:
    return {"socket_address": {"address": host, "port_value": port}}


def manager(prefix: str, routes: list[dict], filters: list[dict]) -> dict:
    return {"name": "envoy.filters.network.http_connection_manager", "typed_config": {
        "@type": f"{TYPE}.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": prefix, "codec_type": "AUTO",
        "route_config": {"name": prefix, "virtual_hosts": [{"name": prefix, "domains": ["*"], "routes": routes}]},
        "http_filters": [*filters, ROUTER]}}  # fmt: skip


def listener(name: str, host: str, port: int, routes: list[dict], filters: list[dict] = ()) -> dict:
    return {"name": name, "address": address(host, port), "filter_chains": [{"filters": [manager(name, routes, list(filters))]}]}


def method_routes(service: ServiceEntry, cluster: str, methods: list | None = None) -> list[dict]:
    """One route per RPC (all of the service's unless named): retried on UNAVAILABLE only when it can safely run twice;
    then the rest of the service."""
    routes = []
    for method in service.contract.methods if methods is None else methods:
        route = {"cluster": cluster, "timeout": CALL_TIMEOUT}
        if is_idempotent(method.name):
            route["retry_policy"] = RETRY
        routes.append({"match": {"path": f"/{service.contract.full_name}/{method.name}", "grpc": {}}, "route": route})
    routes.append({"match": {"prefix": "/"}, "route": {"cluster": cluster, "timeout": CALL_TIMEOUT}})  # health, reflection
    return routes


def cluster(name: str, host: str, port: int, dns: bool, health_service: str) -> dict:
    return {
        "name": name, "type": "STRICT_DNS" if dns else "STATIC", "connect_timeout": "1s", "lb_policy": "ROUND_ROBIN",
        "load_assignment": {"cluster_name": name, "endpoints": [{"lb_endpoints": [{"endpoint": {"address": address(host, port)}}]}]},
        "typed_extension_protocol_options": HTTP2,
        "circuit_breakers": {"thresholds": [{"max_connections": 1024, "max_pending_requests": 1024, "max_requests": 4096, "max_retries": 16}]},
        "outlier_detection": {"consecutive_5xx": 5, "consecutive_gateway_failure": 3, "interval": "5s",
                              "base_ejection_time": "30s", "max_ejection_percent": 50},
        "health_checks": [{"timeout": "1s", "interval": "5s", "unhealthy_threshold": 2, "healthy_threshold": 1,
                           "grpc_health_check": {"service_name": health_service}}],
    }  # fmt: skip


def bootstrap(listeners: list[dict], clusters: list[dict]) -> dict:
    return {"admin": {"address": address(LOCAL, ADMIN_PORT)}, "static_resources": {"listeners": listeners, "clusters": clusters}}


def sidecar(service: ServiceEntry) -> dict:
    """Inbound on 15000 to the app; a local port for each peer the registry says the service calls."""
    to_app = [{"match": {"prefix": "/"}, "route": {"cluster": "local_app", "timeout": CALL_TIMEOUT}}]  # callers' sidecars retry
    listeners = [listener("inbound", "0.0.0.0", INBOUND_PORT, to_app)]
    clusters = [cluster("local_app", LOCAL, APP_PORT, dns=False, health_service=service.contract.full_name)]
    for peer in map(entry, service.calls):
        listeners.append(listener(f"outbound_{peer.name}", LOCAL, outbound_port(peer.name), method_routes(peer, peer.name)))
        clusters.append(cluster(peer.name, f"chirp-{peer.name}", INBOUND_PORT, dns=True, health_service=peer.contract.full_name))
    return bootstrap(listeners, clusters)


def edge_methods(service: ServiceEntry) -> list:
    """The RPCs with a google.api.http rule: the only ones the edge exposes (the rest are internal)."""
    return [m for m in service.contract.methods if m.GetOptions().HasExtension(annotations_pb2.http)]


def public(service: ServiceEntry) -> bool:
    """A service with REST rules: the edge exposes it."""
    return bool(edge_methods(service))


def edge() -> dict:
    """REST/JSON in on 8080, transcoded to gRPC from the contracts' google.api.http rules, to each service's pods.

    Only the RPCs with an http rule are routed (gRPC straight to the edge included): an internal RPC, a health check
    or reflection gets 404. Behind one Ingress hop: the client is the address that hop names in x-forwarded-for,
    which Envoy passes on with its own peer appended (the services trust both through CHIRP_TRUSTED_PROXIES)."""
    services = [e for e in BUILT if public(e)]
    transcoder = {"name": "envoy.filters.http.grpc_json_transcoder", "typed_config": {
        "@type": f"{TYPE}.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
        "proto_descriptor": DESCRIPTOR_PATH, "services": [e.contract.full_name for e in services],
        "print_options": {"preserve_proto_field_names": True, "always_print_primitive_fields": True},
        "convert_grpc_status": True, "auto_mapping": False,
        "request_validation_options": {"reject_unknown_method": True}}}  # fmt: skip
    routes = [r for e in services for r in method_routes(e, e.name, edge_methods(e))[:-1]]
    edge_listener = listener("edge", "0.0.0.0", EDGE_PORT, routes, [transcoder])
    edge_listener["filter_chains"][0]["filters"][0]["typed_config"].update(
        {"use_remote_address": True, "xff_num_trusted_hops": EDGE_TRUSTED_HOPS})
    listeners = [edge_listener]
    clusters = [cluster(e.name, f"chirp-{e.name}", APP_PORT, dns=True, health_service=e.contract.full_name) for e in services]
    return bootstrap(listeners, clusters)


def descriptor_set(out: Path) -> None:
    protos = sorted(str(p) for p in Path("protos/chirp").rglob("*.proto"))
    google_protos = Path(google.api.__path__[0]).parents[1]
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", "protos", "-I", str(google_protos), "--include_imports",
                    f"--descriptor_set_out={out / 'chirp.pb'}", *protos], check=True)  # fmt: skip


ORDINALS = {"snowflake": "CHIRP_WORKER_ID"}  # a Snowflake worker id no other live process has: the pod's ordinal
NEEDS = {"database_url": "postgres", "redis_url": "redis", "rabbitmq_url": "rabbitmq"}


def registry() -> dict:
    """What the chart needs of each service; a StatefulSet's ordinal becomes the named variable."""
    services = [{"name": e.name, "service": e.contract.full_name, "calls": list(e.calls), "needs": [NEEDS[n] for n in e.needs],
                 "public": public(e), "ordinal": ORDINALS.get(e.name) or ("CHIRP_REPLICA" if e.queue_per_replica else "")}
                for e in BUILT]  # fmt: skip
    return {"services": services, "outbound_ports": {e.name: outbound_port(e.name) for e in BUILT}}


def write_yaml(path: Path, document: dict) -> None:
    header = "# Generated by scripts/gen-deploy.py from the registry and the protos: do not edit.\n"
    path.write_text(header + yaml.safe_dump(document, sort_keys=False, width=160))


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out = root / "envoy"
    (out / "sidecars").mkdir(parents=True, exist_ok=True)
    for service in BUILT:
        write_yaml(out / "sidecars" / f"{service.name}.yaml", sidecar(service))
    write_yaml(out / "edge.yaml", edge())
    descriptor_set(out)
    (root / "helm" / "chirp").mkdir(parents=True, exist_ok=True)
    (root / "helm" / "chirp" / "registry.json").write_text(json.dumps(registry(), indent=1) + "\n")
    print(f"{out}: {len(BUILT)} sidecars, the edge, chirp.pb; helm/chirp/registry.json")


if __name__ == "__main__":
    main()
