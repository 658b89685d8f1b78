"""SIGTERM to `make run`'s process: its REST edge stops taking connections first and finishes the requests it holds,
whose gRPC calls the mesh still answers; only then does gRPC drain and the process exit."""

import asyncio
import signal

import httpx
import pytest

from tests.e2e.mesh_process import GRACE_SECONDS, start_mesh


async def test_the_rest_edge_drains_before_grpc(tmp_path):
    mesh = start_mesh(tmp_path / "mesh")
    release, sent = asyncio.Event(), asyncio.Event()

    async def body():  # the request is in the edge's hands, its body not finished, when the signal comes
        yield b'{"handle": "held", "password": "held until the signal"'
        sent.set()
        await release.wait()
        yield b"}"

    try:
        async with httpx.AsyncClient(base_url=mesh.rest_url, timeout=10) as client:
            held = asyncio.create_task(client.post("/v1/accounts", content=body(), headers={"content-type": "application/json"}))
            await sent.wait()
            await asyncio.sleep(0.2)
            mesh.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            with pytest.raises(httpx.ConnectError):  # no new connection once the edge stops
                async with httpx.AsyncClient(base_url=mesh.rest_url, timeout=2) as fresh:
                    await fresh.get("/.well-known/jwks.json")
            assert mesh.process.poll() is None
            release.set()
            answered = await held
        assert answered.status_code == 200, answered.text  # its gRPC call came after the signal, and was served
        assert int(answered.json()["userId"]) > 0
        assert await asyncio.to_thread(mesh.process.wait, GRACE_SECONDS) == 0
    finally:
        if mesh.process.poll() is None:
            mesh.process.kill()
            mesh.process.wait()
