"""Room operations: find a room by name, create a private room, invite, kick, redact.

Part of ``MatrixAdapter`` (``avz_bot.matrix.adapter``), given its ``MatrixSession``; used
by the jobs that create case rooms and direct chats, invite and remove members
(``avz_bot.services.cases.jobs``, ``avz_bot.services.direct``) and redact for the BSN
guard (``avz_bot.services.signals.jobs``).
Failures raise ``SendError`` (transient), except refusals no retry can change, which are
logged and not retried.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

import aiohttp
from nio import (
    ErrorResponse,
    RoomCreateError,
    RoomCreateResponse,
    RoomInviteError,
    RoomKickError,
    RoomRedactError,
    RoomVisibility,
)

from avz_bot.logs import get_logger
from avz_bot.matrix.session import MatrixSession
from avz_bot.ports import SendError

log = get_logger(__name__)


def _failure(response: ErrorResponse) -> SendError:
    """A transient ``SendError``; for a rate limit (``M_LIMIT_EXCEEDED``) with the
    homeserver's ``retry_after`` in seconds, so the job can say when it will follow."""
    code = response.status_code or "unknown"
    if code == "M_LIMIT_EXCEEDED":
        wait = (getattr(response, "retry_after_ms", None) or 1000) / 1000
        return SendError(code, permanent=False, retry_after=wait)
    return SendError(code, permanent=False)


class RoomOperations:
    """The ``RoomGateway`` (``avz_bot.ports``) and ``redact``."""

    def __init__(self, session: MatrixSession) -> None:
        self._session = session

    @contextlib.contextmanager
    def _rate_limits_surface(self) -> Iterator[None]:
        """Room creation and invitations see a rate limit at once instead of nio
        sleeping and retrying inside the job (up to ``max_limit_exceeded`` times the
        server's wait, with the job's transaction open and the requester not told).

        nio reads the limit once when a request starts, so only requests started in
        this window are affected, and every other request kind handles 429 itself
        (sync loop, outbox delivery).
        """
        client = self._session.client
        before = client.config  # a frozen dataclass: swapped, not changed
        client.config = dataclasses.replace(before, max_limit_exceeded=0)
        try:
            yield
        finally:
            client.config = before

    def find_room(self, name: str) -> str | None:
        """A room the bot is in whose name is ``name`` (used to make room creation
        idempotent: a retried creation finds the room the first attempt made)."""
        client = self._session.client
        for room_id, room in client.rooms.items():
            if room.name == name and room.creator == client.user_id:
                return str(room_id)
        return None

    async def create_private_room(
        self,
        *,
        name: str | None,
        invite: list[str],
        federate: bool,
        power_levels: dict[str, Any],
        initial_state: list[dict[str, Any]],
        is_direct: bool = False,
    ) -> str:
        """Create a room with exactly the given state (no preset defaults relied upon)."""
        try:
            with self._rate_limits_surface():
                response = await self._session.client.room_create(
                    visibility=RoomVisibility.private,
                    name=name,
                    federate=federate,
                    is_direct=is_direct,
                    invite=invite,
                    initial_state=initial_state,
                    power_level_override=power_levels,
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomCreateResponse):
            return str(response.room_id)
        assert isinstance(response, RoomCreateError)
        log.warning("room creation failed", extra={"errcode": response.status_code})
        raise _failure(response)

    async def invite_user(self, room_id: str, user_id: str) -> None:
        """Invite ``user_id``; inviting someone already in the room is not an error."""
        try:
            with self._rate_limits_surface():
                response = await self._session.client.room_invite(room_id, user_id)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomInviteError):
            if response.status_code == "M_FORBIDDEN":
                # Already joined or invited (or banned): nothing a retry would change.
                log.info("invite refused", extra={"room_id": room_id, "errcode": "M_FORBIDDEN"})
                return
            raise _failure(response)

    async def kick_user(self, room_id: str, user_id: str, reason: str | None) -> None:
        """Remove ``user_id`` from the room (no personal data in ``reason``: it is not
        encrypted)."""
        try:
            response = await self._session.client.room_kick(room_id, user_id, reason)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomKickError):
            if response.status_code == "M_FORBIDDEN":
                log.info("kick refused", extra={"room_id": room_id, "errcode": "M_FORBIDDEN"})
                return
            raise SendError(response.status_code or "unknown", permanent=False)

    async def redact(self, room_id: str, event_id: str, reason: str | None) -> None:
        """Redact an event (the BSN guard in case rooms); a refusal is logged, not retried."""
        try:
            response = await self._session.client.room_redact(room_id, event_id, reason)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomRedactError):
            if response.status_code in {"M_FORBIDDEN", "M_NOT_FOUND"}:
                log.warning(
                    "redaction refused", extra={"room_id": room_id, "errcode": response.status_code}
                )
                return
            raise SendError(response.status_code or "unknown", permanent=False)
