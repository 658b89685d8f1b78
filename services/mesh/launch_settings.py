"""The launcher's settings that give one value per process: how many replicas of each service (CHIRP_REPLICAS,
CHIRP_<NAME>_REPLICAS) and each child's metrics address (CHIRP_METRICS_LISTEN)."""

from services.common.runtime.env import ConfigError, env_int, env_str
from services.registry import BUILT

MAX_REPLICAS = 16


def replica_counts() -> dict[str, int]:
    """How many processes of each built service to start, in the registry's (dependency) order."""
    listed = parse_replicas(env_str("CHIRP_REPLICAS", ""))
    return {e.name: listed.get(e.name) or env_int(f"CHIRP_{e.name.upper()}_REPLICAS", e.replicas, 1, MAX_REPLICAS) for e in BUILT}


def parse_replicas(text: str) -> dict[str, int]:
    """`tweet=2,graph=2`: replicas by service name; ConfigError names what is wrong."""
    counts = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, count = part.partition("=")
        if name.strip() not in {e.name for e in BUILT}:
            raise ConfigError(f"CHIRP_REPLICAS names {name.strip()!r}; services: {', '.join(e.name for e in BUILT)}")
        if not count.strip().isdigit() or not 1 <= int(count) <= MAX_REPLICAS:
            raise ConfigError(f"CHIRP_REPLICAS gives {part!r}: write service=N with N from 1 to {MAX_REPLICAS}")
        counts[name.strip()] = int(count)
    return counts


def metrics_addresses(setting: str, count: int) -> list[str]:
    """Each child's CHIRP_METRICS_LISTEN, in start order, from the launcher's: HOST:PORT is the first of `count`
    consecutive ports (HOST:0, a free one each); "off" stays off; unset, each child takes its own port + 1000."""
    value = setting.strip()
    if value.lower() in ("", "off"):
        return [value.lower()] * count
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"CHIRP_METRICS_LISTEN={value!r}: give HOST:PORT (the first of {count} ports, one per process), or off")
    first = int(port)
    if first and first + count - 1 > 65535:
        raise ConfigError(f"CHIRP_METRICS_LISTEN={value!r}: {count} processes need ports {first}-{first + count - 1}")
    return [f"{host}:{first + i if first else 0}" for i in range(count)]
