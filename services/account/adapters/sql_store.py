"""The account store on SQL, written once for SQLite and PostgreSQL (the connections differ: connections.py)."""

from services.account.domain import Account, RefreshToken, Spend, Successor
from services.common.kernel.errors import AlreadyExists
from services.common.storage.transactions import Transactions

_TOKEN_COLUMNS = "token_hash, family, user_id, expires_at"


class SqlAccountStore:
    def __init__(self, db: Transactions):
        self._db = db

    async def add(self, account: Account) -> None:
        async with self._db.transaction() as tx:
            if await tx.fetch_one("SELECT 1 FROM accounts WHERE user_id = ?", account.user_id):
                raise AlreadyExists(f"user {account.user_id} already has an account")
            await tx.execute(
                "INSERT INTO accounts (user_id, password_hash, created_at) VALUES (?, ?, ?)",
                account.user_id, account.password_hash, account.created_at,
            )  # fmt: skip

    async def get(self, user_id: int) -> Account | None:
        async with self._db.transaction() as tx:
            row = await tx.fetch_one("SELECT user_id, password_hash, created_at FROM accounts WHERE user_id = ?", user_id)
        return Account(row[0], row[1], row[2]) if row else None

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE accounts SET password_hash = ? WHERE user_id = ?", password_hash, user_id)

    async def delete(self, user_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM refresh_tokens WHERE user_id = ?", user_id)
            await tx.execute("DELETE FROM accounts WHERE user_id = ?", user_id)

    async def add_refresh_token(self, token: RefreshToken) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO refresh_tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?)",
                token.token_hash, token.family, token.user_id, token.expires_at,
            )  # fmt: skip

    async def spend(self, token_hash: str, now: float, successor: Successor | None) -> tuple[Spend, RefreshToken | None]:
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(f"SELECT {_TOKEN_COLUMNS}, spent FROM refresh_tokens WHERE token_hash = ? FOR UPDATE", token_hash)
            if row is None:
                return Spend.UNKNOWN, None
            token = RefreshToken(row[0], row[1], row[2], row[3])
            if row[4]:
                await tx.execute("DELETE FROM refresh_tokens WHERE family = ?", token.family)
                return Spend.REUSED, token
            if token.expires_at <= now:
                return Spend.EXPIRED, token
            await tx.execute("UPDATE refresh_tokens SET spent = TRUE WHERE token_hash = ?", token_hash)
            if successor is not None:
                await tx.execute(
                    f"INSERT INTO refresh_tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?)",
                    successor.token_hash, token.family, token.user_id, successor.expires_at,
                )  # fmt: skip
            return Spend.SPENT, token

    async def end_family(self, family: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM refresh_tokens WHERE family = ?", family)

    async def end_families_except(self, user_id: int, family: str) -> list[str]:
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all("DELETE FROM refresh_tokens WHERE user_id = ? AND family <> ? RETURNING family", user_id, family)
        return sorted({row[0] for row in rows})
