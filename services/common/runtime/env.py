"""Reading one setting from the environment: each reader checks its value and names what is wrong (ConfigError)."""

import os

from services.common.limits.rates import Rate, parse_rates
from services.common.rpc.client_address import Network, parse_networks
from services.common.tokens.keys import read_setting


class ConfigError(ValueError):
    """A setting is missing or malformed; the service refuses to start."""


def env_int(name: str, default: int, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name}={value} is outside {minimum}..{maximum}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).upper()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_address(name: str, default: str) -> str:
    value = env_str(name, default)
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{name}={value!r} is not HOST:PORT with a port from 0 to 65535")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in {"true", "false", "1", "0", "yes", "no"}:
        raise ConfigError(f"{name}={raw!r} is not true or false")
    return raw in {"true", "1", "yes"}


def env_rates(name: str) -> dict[str, Rate]:
    try:
        return parse_rates(os.environ.get(name, ""))
    except ValueError as error:
        raise ConfigError(f"{name}: {error}") from None


def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def env_key_texts(name: str) -> tuple[bytes, ...]:
    """PEM or JWKS text, inline or in the comma-separated files named."""
    try:
        return tuple(read_setting(os.environ.get(name, "")))
    except OSError as error:
        raise ConfigError(f"{name}: {error}") from None


def env_networks(name: str) -> tuple[Network, ...]:
    try:
        return parse_networks(os.environ.get(name, ""))
    except ValueError as error:
        raise ConfigError(f"{name}: {error}") from None


def env_metrics_listen(name: str) -> str:
    """HOST:PORT, "off", or "" (unset: the default address)."""
    raw = os.environ.get(name, "").strip()
    if raw.lower() in ("", "off"):
        return raw.lower()
    return env_address(name, "")
