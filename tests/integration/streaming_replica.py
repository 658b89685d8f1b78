"""A PostgreSQL primary and a streaming replica of it (`pg_basebackup -R`), on private loopback ports.

PostgreSQL won't run as root, so the servers run as the `postgres` user (as the Patroni cluster of
tests/chaos does), from Debian's binaries, in a temporary directory removed at the end.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.chaos.patroni_node import BIN_DIR
from tests.integration.servers import free_port_range


@dataclass(frozen=True)
class StreamingPair:
    primary_port: int
    replica_port: int

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"


@contextmanager
def streaming_pair() -> Iterator[StreamingPair]:
    postgres = pwd.getpwnam("postgres")
    root = Path(tempfile.mkdtemp(prefix="chirp-replica-"))
    os.chown(root, postgres.pw_uid, postgres.pw_gid)
    first = free_port_range(2)
    pair = StreamingPair(first, first + 1)

    def run(*args: str) -> None:
        subprocess.run([str(BIN_DIR / args[0]), *args[1:]], check=True, capture_output=True, user=postgres.pw_uid, group=postgres.pw_gid)

    def start(name: str, port: int) -> None:
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c wal_level=replica"
        command = ("pg_ctl", "-D", str(root / name), "-o", options, "-l", str(root / f"{name}.log"), "-w", "start")
        try:
            run(*command)
        except subprocess.CalledProcessError as error:  # pg_ctl itself once died of SIGSEGV in a full run: one more try
            if error.returncode >= 0:
                raise
            run(*command)

    try:
        run("initdb", "-D", str(root / "primary"), "-U", "postgres", "-A", "trust")
        start("primary", pair.primary_port)
        run("pg_basebackup", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres", "-D", str(root / "replica"), "-R", "-X", "stream")
        start("replica", pair.replica_port)
        yield pair
    finally:
        for name in ("replica", "primary"):
            if (root / name / "postmaster.pid").exists():
                subprocess.run([str(BIN_DIR / "pg_ctl"), "-D", str(root / name), "-m", "immediate", "stop"], capture_output=True,
                               user=postgres.pw_uid, group=postgres.pw_gid)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
