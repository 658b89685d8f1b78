"""helm/chirp with the real helm (scripts/ensure-helm.sh): lint, and every manifest `helm template` renders, with the
default and the production values, valid against Kubernetes' schemas in strict mode (kubernetes-validate); the token
keys and trusted proxies wired into every pod; and the rendered pods started here as processes, which must serve."""

import asyncio
import subprocess
import time
from pathlib import Path

import grpc
import kubernetes_validate
import pytest
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp.account.v1 import account_service_pb2_grpc as account_grpc
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.timeline.v1 import timeline_service_pb2_grpc as timeline_grpc
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp.tweet.v1 import tweet_service_pb2_grpc as tweet_grpc
from services.common.tokens.keys import SigningKey
from services.registry import BUILT
from tests.conftest import production_backends
from tests.integration.rendered_pods import container_env, on_loopback, start_pod
from tests.integration.servers import free_port
from tests.tokens import bearer

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "chirp"
HELM = ROOT / ".venv" / "bin" / "helm"
KUBERNETES = "1.37.0"
KEY = SigningKey.generate()  # what an operator passes with --set-file (the chart makes the Secret chirp-jwt from it)
SERVICE_KEY = SigningKey.generate()  # the services' own tokens (jwt.serviceKey), as an operator passes it
KEYS = ["--set-string", f"jwt.privateKey={KEY.pem().decode()}", "--set-string", f"jwt.publicKeys={KEY.public_pem().decode()}",
        "--set-string", f"jwt.serviceKey={SERVICE_KEY.pem().decode()}"]  # fmt: skip
VALUES = {"default": KEYS, "production": ["-f", str(CHART / "values-production.yaml")]}


def helm(*argv: str) -> str:
    done = subprocess.run([str(HELM), *argv], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def rendered(values: str, *more: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(helm("template", "chirp", str(CHART), *VALUES[values], *more)) if doc]


def workloads(docs: list[dict]) -> dict[str, dict]:
    """Each service's app container, by service name."""
    return {d["metadata"]["name"].removeprefix("chirp-"): d["spec"]["template"]["spec"]["containers"][0]
            for d in docs if d["kind"] in ("Deployment", "StatefulSet") and d["metadata"]["name"] != "chirp-edge"}  # fmt: skip


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


def test_without_token_keys_the_chart_refuses_to_render_and_says_what_to_give():
    done = subprocess.run([str(HELM), "template", "chirp", str(CHART)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "jwt.privateKey is required (or name jwt.existingSecret)" in done.stderr


def test_without_the_service_key_the_chart_refuses_to_render_and_says_what_to_give():
    user_keys = KEYS[:4]  # the signing key and the public keys, no jwt.serviceKey
    done = subprocess.run([str(HELM), "template", "chirp", str(CHART), *user_keys], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "jwt.serviceKey is required (or name jwt.existingSecret)" in done.stderr


@pytest.mark.parametrize("values, secret", [("default", "chirp-jwt"), ("production", "chirp-jwt")])
def test_the_account_service_gets_the_signing_key_and_every_service_the_public_keys(values, secret):
    docs = rendered(values)
    apps = workloads(docs)
    assert sorted(apps) == sorted(e.name for e in BUILT)
    for name, app in apps.items():
        refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in app["env"] if "secretKeyRef" in e.get("valueFrom", {})}
        assert refs["CHIRP_JWT_PUBLIC_KEYS"] == {"name": secret, "key": "public-keys.pem"}
        assert ("CHIRP_JWT_PRIVATE_KEY" in refs) == (name == "account"), name
    made = [d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"] == "chirp-jwt"]
    assert len(made) == (values == "default")  # production names a Secret its secret manager made


def test_a_key_rotation_publishes_several_public_keys_to_every_service():
    incoming = SigningKey.generate()
    both = KEY.public_pem().decode() + incoming.public_pem().decode()
    secret = named(rendered("default", "--set-string", f"jwt.publicKeys={both}"), "Secret", "chirp-jwt")
    assert secret["stringData"]["public-keys.pem"].count("BEGIN PUBLIC KEY") == 2


def test_the_edge_and_the_services_agree_on_the_trusted_proxies():
    docs = rendered("default", "--set", "edge.xffTrustedHops=0", "--set", "trustedProxies={10.8.0.0/14}")
    config = named(docs, "ConfigMap", "chirp-config")["data"]
    assert config["CHIRP_TRUSTED_PROXIES"] == "127.0.0.1/32,::1/128,10.8.0.0/14"  # the sidecars, then the edge's network
    edge = yaml.safe_load(named(docs, "ConfigMap", "chirp-edge")["data"]["edge.yaml"])
    manager = edge["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    assert manager["use_remote_address"] is True and manager["xff_num_trusted_hops"] == 0
    default = yaml.safe_load(named(rendered("default"), "ConfigMap", "chirp-edge")["data"]["edge.yaml"])
    assert default["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]["xff_num_trusted_hops"] == 1


def wait_serving(port: int, log: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while True:
            assert process.poll() is None, f"the pod exited with {process.returncode}:\n{log.read_text()}"
            try:
                if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            assert time.monotonic() < deadline, f"the pod never served:\n{log.read_text()}"
            time.sleep(0.2)


@pytest.mark.slow
async def test_the_rendered_pods_start_and_verify_each_others_tokens(tmp_path):
    """Every Deployment and StatefulSet of the default values, as a process with its rendered environment: all serve,
    and a token the account service signs is accepted by Tweet and Timeline."""
    docs = rendered("default")
    apps = workloads(docs)
    ports = {e.name: free_port() for e in BUILT}
    pods = []
    async with production_backends(tmp_path) as settings:
        try:
            for service in BUILT:  # the registry's order: each after what it calls
                env = on_loopback(container_env(docs, apps[service.name]), settings, ports[service.name], ports, tmp_path / service.name)
                log = tmp_path / f"{service.name}.log"
                pods.append(process := start_pod(env, log))
                await asyncio.to_thread(wait_serving, ports[service.name], log, process)
            await asyncio.to_thread(post_and_read, ports)
        finally:
            for process in pods:
                process.terminate()
            for process in pods:
                process.wait(15)


def post_and_read(ports: dict[str, int]) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{ports['account']}") as channel:
        accounts = account_grpc.AccountServiceStub(channel)
        accounts.CreateAccount(account_pb.CreateAccountRequest(handle="charted", password="a long enough password"), timeout=10)
        session = accounts.CreateSession(account_pb.CreateSessionRequest(handle="charted", password="a long enough password"), timeout=10)
    token = bearer(session.session.access_token)
    with grpc.insecure_channel(f"127.0.0.1:{ports['tweet']}") as channel:
        tweet_grpc.TweetServiceStub(channel).CreateTweet(tweet_pb.CreateTweetRequest(text="from the chart"), metadata=token, timeout=10)
    with grpc.insecure_channel(f"127.0.0.1:{ports['timeline']}") as channel:
        with pytest.raises(grpc.RpcError) as refused:
            timeline_grpc.TimelineServiceStub(channel).ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        timeline_grpc.TimelineServiceStub(channel).ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=token, timeout=10)
