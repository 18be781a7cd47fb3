"""Invitations, the bot's own joins and leaves, and members joining or leaving case rooms.

A part of ``BotCore`` (``avz_bot.runtime.core``), composed into it. Invitations are accepted only from
registered partners on allowed servers; the bot's joins and leaves are recorded (and
audited). Someone else's membership change is claimed by its event id (exactly once),
unless it is from before the bot joined or beyond the replay horizon: a member joining a
case room gets the welcome card, one leaving loses every case role, and a member who
joins their direct chat releases the messages that waited for them.
"""

from __future__ import annotations

from datetime import datetime

from avz_bot.runtime.core_state import CoreParts, TokenMark
from avz_bot.services.audit import Audit
from avz_bot.services.cases import CaseService
from commands.framework import Outcome
from storage.runtime_repositories import ProcessedEventRepository, RoomRepository


class RoomEvents:
    """The ``InboundPort``'s room and membership events."""

    def __init__(self, parts: CoreParts, mark: TokenMark, allowed_servers: list[str]) -> None:
        self._parts = parts
        self._db = parts.db
        self._services = parts.services
        self._clock = parts.clock
        self._mark = mark
        self._allowed_servers = frozenset(allowed_servers)

    async def may_invite(self, inviter: str) -> bool:
        """Accept invitations only from registered partners on allowed servers (exact match)."""
        self._mark.handled_since_token = True
        if ":" not in inviter:
            return False
        server = inviter.split(":", 1)[1]
        if server not in self._allowed_servers:
            return False
        async with self._db.session() as session:
            return await self._services.members.get(session, inviter) is not None

    async def joined(self, room_id: str, joined_at: datetime, encrypted: bool | None) -> None:
        """Record the bot's membership of ``room_id`` (the earliest join time is kept).

        ``encrypted is None`` means the bot itself just accepted an invitation; that is
        the moment that goes into the audit trail.
        """
        self._mark.handled_since_token = True
        async with self._db.session() as session, session.begin():
            rooms = RoomRepository(session)
            await rooms.record_join(room_id, joined_at, bool(encrypted))
            if encrypted:
                await rooms.set_encrypted(room_id, True)
            if encrypted is None:
                await Audit(session, self._clock.now()).record(
                    "room.joined",
                    room_id=room_id,
                    entity_type="room",
                    entity_id=room_id,
                )

    async def left(self, room_id: str) -> None:
        """The bot is no longer in ``room_id``."""
        self._mark.handled_since_token = True
        async with self._db.session() as session, session.begin():
            await RoomRepository(session).mark_left(room_id, self._clock.now())
            await Audit(session, self._clock.now()).record(
                "room.left",
                room_id=room_id,
                entity_type="room",
                entity_id=room_id,
            )

    async def member_changed(
        self, room_id: str, user_id: str, membership: str, event_id: str, at: datetime
    ) -> None:
        """A case room member joined (welcome card) or left (loses every case role)."""
        self._mark.handled_since_token = True
        if membership not in {"join", "leave", "ban"}:
            return
        async with self._db.session() as session, session.begin():
            room = await RoomRepository(session).get(room_id)
            if room is None or at < room.joined_at or self._parts.beyond_replay_horizon(at):
                return
            processed = ProcessedEventRepository(session)
            if not await processed.claim(event_id, room_id, user_id, self._clock.now()):
                return
            await processed.set_outcome(event_id, f"member.{membership}", Outcome.OK.value)
            cases = self._services.bind(session)[CaseService]
            direct = self._services.direct_messages(session)
            if membership == "join":
                await direct.joined(room_id, user_id)
                reply = await cases.member_joined(room_id, user_id)
            else:
                await direct.left(room_id, user_id)
                reply = await cases.member_left(room_id, user_id, event_id)
            if reply is not None:
                await self._parts.outbox.enqueue(session, "member", event_id, room_id, reply)
