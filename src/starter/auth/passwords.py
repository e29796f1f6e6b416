"""Argon2id with the parameters v1 servers use (their PHC strings keep verifying), off the event
loop (docs/roles.md)."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher(
    time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


def verify_password_sync(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password_sync("dummy-password-for-timing-equalisation")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_sync, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Verify; with no hash (unknown user) verify against a dummy so the work is equal."""
    if password_hash is None:
        await asyncio.to_thread(verify_password_sync, _dummy_hash(), password)
        return False
    return await asyncio.to_thread(verify_password_sync, password_hash, password)
