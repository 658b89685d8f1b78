"""A typed Python client for the Chirp mesh, and the `chirp` command."""

from chirp_client.client import DEFAULT_TARGET, AsyncChirpClient, ChirpClient
from chirp_client.metadata import USER_METADATA_KEY, acting_as

__all__ = ["DEFAULT_TARGET", "USER_METADATA_KEY", "AsyncChirpClient", "ChirpClient", "acting_as"]
