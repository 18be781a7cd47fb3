"""Is a partner's device cross-signed by its owner? Asked of the homeserver, cached.

The answer feeds the trust policy (``[trust]`` in the configuration): which devices get
room keys, and whether commands from a device count as coming from a verified one.
nio keeps no cross-signing state, so the chain is checked here from ``/keys/query``
with ``avz_bot.matrix.signing.device_cross_signed``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from avz_bot.clock import Clock
from avz_bot.logs import get_logger
from avz_bot.matrix.signing import device_cross_signed

log = get_logger(__name__)


class CrossSigningChecker:
    """Answers "is this device cross-signed by its owner?" with a per-user cache."""

    def __init__(
        self,
        homeserver: str,
        access_token: Callable[[], str],
        clock: Clock,
        cache_for: timedelta,
    ) -> None:
        self._url = homeserver.rstrip("/") + "/_matrix/client/v3/keys/query"
        self._token = access_token
        self._clock = clock
        self._cache_for = cache_for
        self._cache: dict[str, tuple[datetime, dict[str, Any]]] = {}
        # Verdicts per device, valid for the keys (the very response) they were checked
        # against: checking means two signature verifications over canonical JSON, for
        # every command and, under the strict policy, every device of a room at each send.
        self._verdicts: dict[tuple[str, str], tuple[dict[str, Any], bool]] = {}
        self._lock = asyncio.Lock()

    def forget(self, user_id: str) -> None:
        """Drop the cached keys of ``user_id``: the sync said their keys changed
        (a new device, a new signature), so the next question asks the server again."""
        self._cache.pop(user_id, None)
        for key in [key for key in self._verdicts if key[0] == user_id]:
            del self._verdicts[key]

    async def _keys(self, user_id: str) -> dict[str, Any] | None:
        now = self._clock.now()
        cached = self._cache.get(user_id)
        if cached is not None and now - cached[0] < self._cache_for:
            return cached[1]
        headers = {"Authorization": f"Bearer {self._token()}"}
        body: dict[str, Any] = {"device_keys": {user_id: []}}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http,
                http.post(self._url, json=body, headers=headers) as response,
            ):
                data = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("keys query failed", extra={"error_type": type(exc).__name__})
            return None
        if status != 200 or not isinstance(data, dict):
            log.warning("keys query refused", extra={"status": status})
            return None
        self._cache[user_id] = (now, data)
        return data

    async def is_cross_signed(self, user_id: str, device_id: str | None) -> bool | None:
        """True/False, or None when it cannot be determined right now (server away)."""
        if device_id is None:
            return None
        async with self._lock:
            keys = await self._keys(user_id)
        if keys is None:
            return None
        known = self._verdicts.get((user_id, device_id))
        if known is not None and known[0] is keys:
            return known[1]
        verdict = device_cross_signed(keys, user_id, device_id)
        self._verdicts[(user_id, device_id)] = (keys, verdict)
        return verdict
