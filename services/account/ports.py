"""What the account service needs, declared in its own values."""

from typing import Protocol

from services.account.domain import Account, RefreshToken, Spend, Successor


class AccountStore(Protocol):
    async def add(self, account: Account) -> None: ...

    async def get(self, user_id: int) -> Account | None: ...

    async def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    async def delete(self, user_id: int) -> None:
        """The account and every refresh token of it; nothing when it is not there."""

    async def add_refresh_token(self, token: RefreshToken) -> None: ...

    async def spend(self, token_hash: str, now: float, successor: Successor | None) -> tuple[Spend, RefreshToken | None]:
        """In one transaction: a fresh token is marked spent and the successor (if any) stored in its family;
        a spent one ends its family. Returns the outcome and the token as stored (None when unknown)."""

    async def end_family(self, family: str) -> None: ...

    async def end_families_except(self, user_id: int, family: str) -> list[str]:
        """Ends every other session family of the user; the families it ended."""


class Profiles(Protocol):
    """The graph's users, which an account is one of."""

    async def create(self, handle: str, display_name: str) -> tuple[int, str]:
        """Creates the profile; its user id and handle. ALREADY_EXISTS for a handle taken."""

    async def find(self, handle: str) -> int | None:
        """The user id with that handle, or None."""


class RateLimiter(Protocol):
    async def take(self, user_id: int, action: str) -> None: ...


class DeletedAccounts(Protocol):
    async def mark(self, user_id: int) -> None: ...


class EndedSessions(Protocol):
    """Session families whose access tokens must stop working now, not when they expire."""

    async def mark(self, *families: str) -> None: ...
