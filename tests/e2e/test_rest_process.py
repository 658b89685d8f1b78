"""The REST gateway of `make run` (`python -m services.mesh`), as the README calls it, and fuzzed from the committed OpenAPI document."""

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.gateway.openapi import COMMITTED
from tests.conftest import acting
from tests.e2e.mesh_process import MeshProcess, start_mesh

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


def test_the_mesh_prints_its_gateway_and_serves_the_readme_calls(mesh: MeshProcess):
    assert f"REST gateway on {mesh.rest_url} (OpenAPI: {mesh.rest_url}/openapi.json)" in mesh.log
    created = httpx.post(f"{mesh.rest_url}/v1/accounts", json={"handle": "readme", "password": "readme's password"})
    assert created.status_code == 200, created.text
    user_id = created.json()["userId"]
    posted = httpx.post(f"{mesh.rest_url}/v1/tweets", json={"text": "hello over REST"}, headers=acting(int(user_id)))
    assert posted.status_code == 200 and posted.json()["author"]["userId"] == user_id
    assert httpx.get(f"{mesh.rest_url}/v1/handles/readme").json()["userId"] == user_id
    assert httpx.get(f"{mesh.rest_url}/openapi.json").content == COMMITTED.read_bytes()


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(mesh: MeshProcess, tmp_path):
    """Bounded: a few examples an operation, no stateful phase, a time budget."""
    fuzzer = httpx.post(f"{mesh.rest_url}/v1/accounts", json={"handle": "fuzzer", "password": "fuzzer's password"}).json()["userId"]
    header = "Authorization: " + acting(int(fuzzer))["Authorization"]
    argv = [str(SCHEMATHESIS), "run", str(COMMITTED), "--url", mesh.rest_url, "--checks", CHECKS, "--max-examples", "2",
            "--phases", "examples,coverage,fuzzing", "--max-time", "25", "--request-timeout", "10", "--generation-deterministic",
            "--no-shrink", "--header", header, "--warnings", "off"]  # fmt: skip
    run = subprocess.run(argv, capture_output=True, text=True, timeout=110, cwd=tmp_path)  # its cache lands there
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert counts and counts.group(1) == counts.group(2) and int(counts.group(1)) > 100, run.stdout[-2000:]


def test_the_gateway_is_a_process_of_its_own_that_ends_with_the_mesh_even_when_killed(tmp_path):
    mesh = start_mesh(tmp_path / "killed")
    try:
        (gateway,) = [int(pid) for pid in subprocess.run(["pgrep", "-P", str(mesh.process.pid)], capture_output=True, text=True).stdout.split()]
        assert "services.gateway" in Path(f"/proc/{gateway}/cmdline").read_bytes().decode()  # the gateway, started by the mesh
        assert httpx.get(f"{mesh.rest_url}/openapi.json", timeout=10).status_code == 200
    finally:
        mesh.process.kill()
        mesh.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(gateway):
        assert time.monotonic() < deadline, "the gateway's process outlived the mesh it served"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
