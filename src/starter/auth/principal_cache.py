"""Authenticated principals remembered per server process.

Without it every authenticated request spends a database round trip on its credential before
doing its own work. With it, an authenticated read is one query (its own), and `/auth/me` none.

Why a cached answer cannot outlive a change:

- Every change that could alter it is announced. Triggers (migration 011) NOTIFY the user's id
  on `starter_auth` when a session or API key is ended, expired, moved or re-scoped, or a user
  is deactivated, deleted, renamed or re-roled, whichever process or tool made the change. Each
  process's listener then forgets that user's entries.
- While the listener is not connected the cache is off and empty: a notification missed during
  the gap cannot leave a stale entry behind.
- The writer's own process forgets the user at the write (`forget_user`), so the writer's next
  request never races the notification. `forget_user` reaches the cache of the app serving the
  request (`app.state.principal_cache`, bound by `serve_forgetting` when the request
  authenticates); elsewhere (the CLI, the worker) there is nothing to forget but the
  notification still goes out. (A concurrent request of that user that reads the old
  row between the write and its commit may cache it again; the notification, sent at commit,
  removes it.)
- A lookup that overlapped an invalidation is not stored (generation counter).
- Entries also expire on their own: at the credential's expiry, when the session's activity
  stamp is due (written at most once per `activity_write_interval_secs`, by the lookup), and
  after `principal_cache_secs` at the latest. `principal_cache_secs = 0` turns the cache off.

Keys are SHA-256 digests of the credentials; the credentials themselves are never kept.
"""

from __future__ import annotations

import asyncio
import time
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

import structlog

from starter.auth.schemas import Principal

log = structlog.get_logger(__name__)

_serving: ContextVar[PrincipalCache | None] = ContextVar("principal_cache", default=None)


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    fresh_until: float  # time.monotonic()


class PrincipalCache:
    def __init__(self, ttl_secs: float, max_entries: int) -> None:
        self._ttl = ttl_secs
        self._max_entries = max_entries
        self._entries: dict[str, _Entry] = {}
        self._keys_by_user: dict[UUID, set[str]] = {}
        self.listening = asyncio.Event()  # set while invalidations can reach us
        self.generation = 0

    @property
    def enabled(self) -> bool:
        return self._ttl > 0 and self.listening.is_set()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.fresh_until <= time.monotonic():
            self._drop(key, entry.principal.id)
            return None
        return entry.principal

    def put(self, key: str, principal: Principal, valid_for: float, generation: int) -> None:
        """Remember `principal` for at most `valid_for` seconds, unless something was
        invalidated since `generation` was read (the lookup may have seen the old state)."""
        if not self.enabled or generation != self.generation or valid_for <= 0:
            return
        if key not in self._entries and len(self._entries) >= self._max_entries:
            oldest = next(iter(self._entries))
            self._drop(oldest, self._entries[oldest].principal.id)
        self._entries[key] = _Entry(principal, time.monotonic() + min(valid_for, self._ttl))
        self._keys_by_user.setdefault(principal.id, set()).add(key)

    def forget(self, user_id: UUID) -> None:
        self.generation += 1
        for key in self._keys_by_user.pop(user_id, ()):
            self._entries.pop(key, None)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._keys_by_user.clear()

    def on_notification(self, payload: str) -> None:
        try:
            user_id = UUID(payload)
        except ValueError:
            log.warning("auth.cache_bad_notification", payload=payload[:100])
            self.clear()
            return
        self.forget(user_id)

    def set_listening(self, listening: bool) -> None:
        """Called by the listener: on (re)connect and on loss alike, start empty."""
        if listening:
            self.listening.set()
        else:
            self.listening.clear()
        self.clear()

    def _drop(self, key: str, user_id: UUID) -> None:
        self._entries.pop(key, None)
        keys = self._keys_by_user.get(user_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_by_user[user_id]


def serve_forgetting(cache: PrincipalCache) -> None:
    """`forget_user` reaches `cache` for the rest of the current request."""
    _serving.set(cache)


def forget_user(user_id: UUID) -> None:
    """For the services that change a user's credentials or identity: the app serving this
    request forgets the user now (other processes hear it from the database's notification)."""
    cache = _serving.get()
    if cache is not None:
        cache.forget(user_id)
