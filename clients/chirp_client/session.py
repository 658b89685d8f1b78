"""A CLI session: the client plus the acting user, looked up by handle."""

import argparse

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client.client import ChirpClient
from chirp_client.metadata import USER_METADATA_KEY


class UsageError(Exception):
    pass


class Session:
    def __init__(self, client: ChirpClient, args: argparse.Namespace):
        self.client = client
        self._acting_handle = args.acting_handle

    def user(self, handle: str) -> graph_pb.User:
        return self.client.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle=handle)).user

    def my_id(self) -> int:
        if not self._acting_handle:
            raise UsageError("this command acts for a user: pass --as HANDLE or set CHIRP_AS")
        return self.user(self._acting_handle).user_id

    def me(self) -> list[tuple[str, str]]:
        """Metadata that makes a call act for the --as user."""
        return [(USER_METADATA_KEY, str(self.my_id()))]

    def optional_me(self) -> list[tuple[str, str]]:
        return self.me() if self._acting_handle else []
