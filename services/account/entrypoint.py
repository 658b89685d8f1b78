"""AccountService over gRPC: requests in, domain calls, messages out. Passwords and tokens are never logged."""

from collections.abc import Sequence

import grpc

from chirp.account.v1 import account_service_pb2 as pb
from chirp.account.v1 import account_service_pb2_grpc as pb_grpc
from services.account.domain import Issued
from services.account.service import AccountService
from services.common.rpc.auth import require_user, verified_identity
from services.common.rpc.client_address import Network, client_address
from services.common.rpc.server import Registration

Context = grpc.aio.ServicerContext


class AccountServicer(pb_grpc.AccountServiceServicer):
    def __init__(self, accounts: AccountService, trusted_proxies: Sequence[Network]):
        self._accounts = accounts
        self._trusted_proxies = trusted_proxies

    async def CreateAccount(self, request: pb.CreateAccountRequest, context: Context) -> pb.CreateAccountResponse:
        user_id, handle = await self._accounts.register(request.handle, request.password, request.display_name)
        return pb.CreateAccountResponse(user_id=user_id, handle=handle)

    async def CreateSession(self, request: pb.CreateSessionRequest, context: Context) -> pb.CreateSessionResponse:
        address = client_address(context, self._trusted_proxies)
        return pb.CreateSessionResponse(session=_session(await self._accounts.login(request.handle, request.password, address)))

    async def RefreshSession(self, request: pb.RefreshSessionRequest, context: Context) -> pb.RefreshSessionResponse:
        return pb.RefreshSessionResponse(session=_session(await self._accounts.refresh(request.refresh_token)))

    async def DeleteSession(self, request: pb.DeleteSessionRequest, context: Context) -> pb.DeleteSessionResponse:
        await self._accounts.logout(request.refresh_token)
        return pb.DeleteSessionResponse()

    async def ChangePassword(self, request: pb.ChangePasswordRequest, context: Context) -> pb.ChangePasswordResponse:
        user_id = require_user(context)
        session = verified_identity().session
        await self._accounts.change_password(user_id, session, request.current_password, request.new_password)
        return pb.ChangePasswordResponse()

    async def ListPublicKeys(self, request: pb.ListPublicKeysRequest, context: Context) -> pb.ListPublicKeysResponse:
        return pb.ListPublicKeysResponse(keys=[pb.PublicKey(**key.jwk()) for key in self._accounts.public_keys()])


def _session(issued: Issued) -> pb.Session:
    session = pb.Session(user_id=issued.user_id, access_token=issued.access_token, refresh_token=issued.refresh_token)
    session.access_token_ttl.FromSeconds(issued.access_ttl_seconds)
    return session


def registration(accounts: AccountService, trusted_proxies: Sequence[Network]) -> Registration:
    return Registration.of(pb, "AccountService", pb_grpc.add_AccountServiceServicer_to_server, AccountServicer(accounts, trusted_proxies))
