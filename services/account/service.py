"""The account use cases: register, log in, refresh, log out, change password; forgetting deleted accounts.

Ending a session (logout, a reused refresh token, the other sessions at a
password change) also marks its family ended, so its access tokens stop
working at once instead of living out their lifetime.
"""

import time
from collections.abc import Callable

from services.account.domain import (
    DEFAULT_REFRESH_TTL_SECONDS,
    Account,
    Issued,
    Spend,
    first_of,
    hash_refresh_token,
    new_family,
    new_successor,
    valid_password,
)  # fmt: skip
from services.account.passwords import Passwords
from services.account.ports import AccountStore, DeletedAccounts, EndedSessions, Profiles, RateLimiter
from services.common.kernel.errors import InvalidArgument, PermissionDenied, Unauthenticated
from services.common.kernel.events import Event, UserDeleted
from services.common.limits.buckets import key_of
from services.common.limits.rates import LOGIN, LOGIN_ADDRESS
from services.common.tokens.access import TokenMinter
from services.common.tokens.keys import PublicKey

WRONG_LOGIN = "wrong handle or password"
REUSED = "this refresh token was already used: every session descending from it has ended; log in again"


class AccountService:
    def __init__(
        self, store: AccountStore, profiles: Profiles, passwords: Passwords, minter: TokenMinter, published: list[PublicKey],
        limiter: RateLimiter, deleted: DeletedAccounts, ended: EndedSessions,
        refresh_ttl_seconds: int = DEFAULT_REFRESH_TTL_SECONDS, clock: Callable[[], float] = time.time,
    ):  # fmt: skip
        self._store, self._profiles, self._passwords = store, profiles, passwords
        self._minter, self._published, self._limiter, self._deleted = minter, published, limiter, deleted
        self._ended, self._refresh_ttl, self._clock = ended, refresh_ttl_seconds, clock

    async def register(self, handle: str, password: str, display_name: str) -> tuple[int, str]:
        valid_password(password)
        password_hash = await self._passwords.hash(password)
        user_id, handle = await self._profiles.create(handle, display_name)
        await self._store.add(Account(user_id, password_hash, self._clock()))
        return user_id, handle

    async def login(self, handle: str, password: str, address: str) -> Issued:
        if not handle or not password:
            raise InvalidArgument("a login needs a handle and a password", field="password" if handle else "handle")
        await self._limiter.take(key_of(f"address:{address}"), LOGIN_ADDRESS)
        user_id = await self._profiles.find(handle)
        await self._limiter.take(user_id or key_of(f"handle:{handle.casefold()}"), LOGIN)
        account = await self._store.get(user_id) if user_id else None
        if not await self._passwords.verify(account.password_hash if account else None, password):
            raise Unauthenticated(WRONG_LOGIN)
        if self._passwords.needs_rehash(account.password_hash):
            await self._store.set_password_hash(account.user_id, await self._passwords.hash(password))
        return await self._start(account.user_id, new_family())

    async def refresh(self, refresh_token: str) -> Issued:
        now = self._clock()
        token, successor = new_successor(now, self._refresh_ttl)
        outcome, spent = await self._store.spend(hash_refresh_token(refresh_token), now, successor)
        if outcome is Spend.REUSED:
            await self._ended.mark(spent.family)
            raise Unauthenticated(REUSED)
        if outcome is not Spend.SPENT:
            raise Unauthenticated(f"the refresh token is {outcome.value}: log in again")
        return Issued(spent.user_id, self._minter.mint(spent.user_id, spent.family), self._minter.ttl_seconds, token)

    async def logout(self, refresh_token: str) -> None:
        _, spent = await self._store.spend(hash_refresh_token(refresh_token), self._clock(), None)
        if spent is not None:
            await self._store.end_family(spent.family)
            await self._ended.mark(spent.family)

    async def change_password(self, user_id: int, session: str, current: str, new: str) -> None:
        valid_password(new, field="new_password")
        account = await self._store.get(user_id)
        if account is None:
            raise PermissionDenied("this user has no password to change (no account was registered with one)")
        if not await self._passwords.verify(account.password_hash, current):
            raise PermissionDenied("the current password is wrong", field="current_password")
        await self._store.set_password_hash(user_id, await self._passwords.hash(new))
        await self._ended.mark(*await self._store.end_families_except(user_id, session))

    def public_keys(self) -> list[PublicKey]:
        return list(self._published)

    async def handle(self, event: Event) -> None:
        """UserDeleted: the account's password and sessions go, and its access tokens stop working."""
        if isinstance(event, UserDeleted):
            await self._deleted.mark(event.user_id)
            await self._store.delete(event.user_id)

    async def _start(self, user_id: int, family: str) -> Issued:
        token, successor = new_successor(self._clock(), self._refresh_ttl)
        await self._store.add_refresh_token(first_of(family, user_id, successor))
        return Issued(user_id, self._minter.mint(user_id, family), self._minter.ttl_seconds, token)
