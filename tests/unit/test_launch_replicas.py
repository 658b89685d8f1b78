"""The launcher's replica counts: CHIRP_REPLICAS, then CHIRP_<NAME>_REPLICAS, then the registry."""

import pytest

from services.common.runtime.env import ConfigError
from services.mesh.launch_settings import parse_replicas, replica_counts
from services.registry import BUILT


def test_chirp_replicas_sets_some_services_and_the_registry_the_rest(monkeypatch):
    monkeypatch.setenv("CHIRP_REPLICAS", "tweet=2, graph=3")
    monkeypatch.setenv("CHIRP_FANOUT_REPLICAS", "4")
    counts = replica_counts()
    assert list(counts) == [e.name for e in BUILT]
    assert counts["tweet"] == 2 and counts["graph"] == 3 and counts["fanout"] == 4 and counts["snowflake"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [("twet=2", "CHIRP_REPLICAS names 'twet'"), ("tweet=0", "N from 1 to 16"), ("tweet", "write service=N"), ("graph=x", "write service=N")],
)
def test_a_bad_replica_list_is_refused_with_what_to_write(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_replicas(text)
