"""A CLI session: the client, and the logged-in user it acts for (--as picks one of the sessions kept)."""

import argparse
import getpass
import sys

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client.client import ChirpClient
from chirp_client.credentials import SessionTokens
from chirp_client.session_file import SessionFile


class UsageError(Exception):
    pass


class Session:
    def __init__(self, client: ChirpClient, args: argparse.Namespace, kept: SessionFile | None = None):
        self.client = client
        self.kept = kept or SessionFile(args.target)
        self._acting_handle = args.acting_handle
        self._password_stdin = getattr(args, "password_stdin", False)
        self._handle: str | None = None

    def user(self, handle: str) -> graph_pb.User:
        return self.client.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle=handle)).user

    def my_id(self) -> int:
        return self._logged_in().session.user_id

    def me(self) -> list[tuple[str, str]]:
        """Nothing to add: the client sends the logged-in user's token (refreshed when due)."""
        self._logged_in()
        return []

    def optional_me(self) -> list[tuple[str, str]]:
        """Reads act for --as when it is given (your likes shown), else for nobody."""
        if self._acting_handle:
            self._logged_in()
        return []

    def log_in(self, handle: str, password: str) -> int:
        session = self.client.login(handle, password, on_change=lambda s: self.kept.put(handle, s))
        return session.user_id

    def log_out(self) -> str:
        tokens = self._logged_in()
        self.client.account.DeleteSession(account_pb.DeleteSessionRequest(refresh_token=tokens.session.refresh_token))
        self.kept.remove(self._handle)
        return self._handle

    def forget(self) -> None:
        self.kept.remove(self._handle)

    def password(self, prompt: str) -> str:
        if self._password_stdin:
            return sys.stdin.readline().rstrip("\n")
        return getpass.getpass(prompt)

    def _logged_in(self) -> SessionTokens:
        if self.client.credentials is None:
            found = self.kept.get(self._acting_handle)
            if found is None:
                who = f"@{self._acting_handle} is not logged in" if self._acting_handle else "nobody is logged in"
                raise UsageError(f"this command acts for a user, and {who}: chirp login HANDLE (then --as HANDLE picks one)")
            self._handle, session = found
            self.client.credentials = SessionTokens(session, on_change=lambda s: self.kept.put(self._handle, s))
        return self.client.credentials
