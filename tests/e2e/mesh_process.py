"""The mesh run as a real process, the way `make run` starts it (`python -m services.mesh`).

It listens on a free port with a temporary data directory and the embedded
defaults (no CHIRP_ variable from the caller's environment), and stops on SIGTERM.
"""

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from services.common.tokens.keys import SIGNING_KEY_FILE
from tests.integration.servers import free_port
from tests.tokens import TEST_KEY

REPO = Path(__file__).resolve().parents[2]
GRACE_SECONDS = 5
START_TIMEOUT_SECONDS = 40  # the mesh, then the REST gateway process it starts


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIRP_")}
    return {**env, **extra}


@dataclass
class MeshProcess:
    process: subprocess.Popen
    target: str
    data_dir: Path
    rest_url: str  # the REST gateway beside it

    @property
    def metrics_target(self) -> str:
        """HOST:PORT of the process's /metrics, as it printed at start."""
        return re.search(r"metrics on http://([^/]+)/metrics", self.log)[1]

    @property
    def log(self) -> str:
        return (self.data_dir / "mesh.stdout").read_text() + (self.data_dir / "mesh.stderr").read_text()

    def stop(self) -> int:
        """Sends SIGTERM; the exit code, or AssertionError when it outlives the grace period."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=GRACE_SECONDS)
            raise AssertionError(f"the mesh did not stop within {GRACE_SECONDS}s of SIGTERM:\n{self.log}") from None


def start_mesh(data_dir: Path, **extra: str) -> MeshProcess:
    """extra: CHIRP_ settings over the test defaults."""
    port, rest_port = free_port(), free_port()
    env = clean_env(
        CHIRP_LISTEN=f"127.0.0.1:{port}",
        CHIRP_GATEWAY_LISTEN=f"127.0.0.1:{rest_port}",
        CHIRP_DATA_DIR=str(data_dir),
        CHIRP_PAGE_TOKEN_SECRET="test",
        CHIRP_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS),
        CHIRP_TRENDING_REFRESH_SECONDS="1",
        CHIRP_RATE_LIMITS="off",
    ) | extra
    data_dir.mkdir(parents=True, exist_ok=True)  # the mesh signs with the key it finds there: the tests' own (tests/tokens.py)
    (data_dir / SIGNING_KEY_FILE).write_bytes(TEST_KEY.pem())
    (data_dir / SIGNING_KEY_FILE).chmod(0o600)
    with open(data_dir / "mesh.stdout", "w") as out, open(data_dir / "mesh.stderr", "w") as err:
        process = subprocess.Popen([sys.executable, "-m", "services.mesh"], cwd=REPO, env=env, stdout=out, stderr=err)
    mesh = MeshProcess(process, f"127.0.0.1:{port}", data_dir, f"http://127.0.0.1:{rest_port}")
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while "Ctrl-C or SIGTERM stops" not in (data_dir / "mesh.stdout").read_text():
        if process.poll() is not None:
            raise AssertionError(f"the mesh exited with {process.returncode} before listening:\n{mesh.log}")
        if time.monotonic() > deadline:
            process.kill()
            process.wait(timeout=GRACE_SECONDS)
            raise AssertionError(f"the mesh did not listen within {START_TIMEOUT_SECONDS}s:\n{mesh.log}")
        time.sleep(0.05)
    assert f"listening on {mesh.target}" in mesh.log
    return mesh
