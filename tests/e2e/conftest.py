"""The mesh as a real process, shared by a test module's tests."""

from collections.abc import Iterator

import pytest

from tests.e2e.mesh_process import MeshProcess, start_mesh


@pytest.fixture(scope="module")
def mesh(tmp_path_factory) -> Iterator[MeshProcess]:
    running = start_mesh(tmp_path_factory.mktemp("mesh"))
    try:
        yield running
    finally:
        if running.process.poll() is None:
            assert running.stop() == 0, running.log
