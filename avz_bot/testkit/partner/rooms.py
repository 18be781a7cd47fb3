"""A partner's rooms: invitations, creating, inviting, joining, and reading room state."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from nio import (
    JoinError,
    RoomCreateError,
    RoomGetStateResponse,
    RoomInviteError,
    RoomPreset,
    RoomVisibility,
)

from avz_bot.testkit.partner.base import PartnerBase
from avz_bot.testkit.partner.records import Invitation, PartnerError

_MEGOLM = "m.megolm.v1.aes-sha2"


class PartnerRooms(PartnerBase):
    """Room membership of a partner."""

    async def wait_for_invitation(
        self, inviter: str | None = None, *, exclude: Sequence[str] = (), timeout: float = 30
    ) -> Invitation:
        """The first invitation (from ``inviter``, if given) to a room not in ``exclude``."""

        def find() -> Invitation | None:
            for invitation in self._invitations:
                if invitation.room_id in exclude:
                    continue
                if inviter is None or invitation.inviter == inviter:
                    return invitation
            return None

        return await self._wait_until(find, timeout=timeout, what=f"an invitation from {inviter}")

    # ------------------------------------------------------------------ rooms
    async def create_encrypted_room(
        self, name: str | None = None, invite: Sequence[str] = (), *, timeout: float = 30
    ) -> str:
        """Create a private room with ``m.room.encryption`` in its initial state.

        Returns the room id once this partner's sync knows the room as encrypted.
        """
        initial_state = [
            {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": _MEGOLM}}
        ]
        return await self._create_room(name, invite, initial_state, timeout, encrypted=True)

    async def create_plain_room(
        self, invite: Sequence[str] = (), *, name: str | None = None, timeout: float = 30
    ) -> str:
        """Create a private room WITHOUT encryption; returns its id once synced."""
        return await self._create_room(name, invite, [], timeout, encrypted=False)

    async def _create_room(
        self,
        name: str | None,
        invite: Sequence[str],
        initial_state: list[dict[str, Any]],
        timeout: float,
        *,
        encrypted: bool,
    ) -> str:
        async with asyncio.timeout(timeout):
            response = await self._client.room_create(
                visibility=RoomVisibility.private,
                name=name,
                preset=RoomPreset.private_chat,
                invite=list(invite),
                initial_state=initial_state,
            )
            if isinstance(response, RoomCreateError):
                raise PartnerError(f"creating a room failed: {response.status_code}")
            room_id = str(response.room_id)
            await self._wait_until(
                lambda: self._joined_room(room_id, encrypted=encrypted),
                what=f"room {room_id} to appear in sync",
            )
            return room_id

    async def invite(self, room_id: str, user_id: str, *, timeout: float = 30) -> None:
        """Invite ``user_id`` to ``room_id``."""
        async with asyncio.timeout(timeout):
            response = await self._client.room_invite(room_id, user_id)
        if isinstance(response, RoomInviteError):
            raise PartnerError(f"inviting {user_id} to {room_id} failed: {response.status_code}")

    async def join(self, room_id: str, *, timeout: float = 30) -> None:
        """Join ``room_id`` (a no-op if already joined); returns once the sync shows it."""
        async with asyncio.timeout(timeout):
            if self._joined_room(room_id) is None:
                response = await self._client.join(room_id)
                if isinstance(response, JoinError):
                    raise PartnerError(f"joining {room_id} failed: {response.status_code}")
            await self._wait_until(
                lambda: self._joined_room(room_id), what=f"own join of {room_id} in sync"
            )

    async def wait_for_join(self, room_id: str, user_id: str, timeout: float = 30) -> None:
        """Wait until this partner's sync shows ``user_id`` as joined to ``room_id``.

        Waiting on the partner's own view matters for encryption: only once nio has
        seen the join does it share the next room key with the new member.
        """

        def joined() -> bool:
            room = self._client.rooms.get(room_id)
            return bool(room and user_id in room.users and not room.users[user_id].invited)

        await self._wait_until(joined, timeout=timeout, what=f"{user_id} to join {room_id}")

    async def room_state(self, room_id: str, *, timeout: float = 30) -> list[dict[str, Any]]:
        """The room's current state events, raw, as the homeserver returns them."""
        async with asyncio.timeout(timeout):
            response = await self._client.room_get_state(room_id)
        if not isinstance(response, RoomGetStateResponse):
            raise PartnerError(
                f"reading the state of {room_id} failed: {getattr(response, 'status_code', None)}"
            )
        return [dict(event) for event in response.events]
