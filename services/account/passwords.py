"""Password hashes: argon2id (argon2-cffi), computed off the event loop.

The parameters are argon2-cffi's defaults (RFC 9106's low-memory profile:
3 passes over 64 MiB, 4 lanes), or cheaper ones given by tests. A hash made
with other parameters still verifies, and is replaced at the next login.
"""

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# A hash of a password nobody has: a login to a handle with no account verifies against it, so it takes as long.
_DECOY_PASSWORD = "no account has this password"


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None):
        self._hasher = hasher or PasswordHasher()
        self._decoy: str | None = None  # made at the first login to a handle with no account

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        if stored_hash is None and self._decoy is None:
            self._decoy = await self.hash(_DECOY_PASSWORD)
        return await asyncio.to_thread(self._verify, stored_hash or self._decoy, password) and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
