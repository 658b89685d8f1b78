"""A typed Python client for the Chirp mesh, and the `chirp` command."""

from chirp_client.client import DEFAULT_TARGET, AsyncChirpClient, ChirpClient
from chirp_client.credentials import MintedTokens, Session, SessionTokens
from chirp_client.metadata import acting_as, bearer_metadata

__all__ = ["DEFAULT_TARGET", "AsyncChirpClient", "ChirpClient", "MintedTokens", "Session", "SessionTokens", "acting_as", "bearer_metadata"]
