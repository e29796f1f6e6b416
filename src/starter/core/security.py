"""Opaque secrets: generation and the one-way digests we store instead of them."""

from __future__ import annotations

import hashlib
import secrets

SESSION_TOKEN_BYTES = 48  # 64 url-safe characters, the length v1 clients expect


def new_session_token() -> str:
    return secrets.token_urlsafe(SESSION_TOKEN_BYTES)


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret (tokens, API keys). Not for passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def random_string(n_bytes: int) -> str:
    return secrets.token_urlsafe(n_bytes)
