"""Direct messages to one person, as durable jobs (general: not only for escalations).

A unit of work that wants to tell one person something privately schedules a
``direct.message`` job (:func:`schedule_direct_message`). The job finds the bot's direct
room with that person or creates one (encrypted, invite-only, history visible from the
invitation so the invitee can read what was sent before they accepted), then queues the
message in the outbox in the job's own transaction. The room is recorded in
``direct_rooms`` in that transaction, so later messages reuse it (a crash between creating
the room and the commit can leave one unused room behind; the retry makes a new one). A
message may accept reactions: it is then registered as a
reaction target under its outbox transaction id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.ports import RoomGateway
from avz_bot.services.cases import case_room_state
from storage.escalation_repositories import DirectRoomRepository, ReactionTargetRepository
from storage.repositories import OutboxRepository, RoomRepository
from storage.schedule_repositories import JobRepository, JobRow

JOB_DIRECT_MESSAGE = "direct.message"


def direct_room_name(user_id: str) -> str:
    """The room name (unencrypted state): no personal data, only that it is the bot's chat."""
    del user_id
    return "avz-bot"


async def schedule_direct_message(
    session: AsyncSession,
    *,
    user: str,
    key: str,
    reply: Reply,
    now: datetime,
    reaction: tuple[str, str] | None = None,
) -> None:
    """Schedule ``reply`` for ``user``'s direct chat; ``key`` makes it happen once.

    ``reaction`` is ``(kind, entity_id)`` when reactions to the message are to be routed
    to the handler registered for ``kind``.
    """
    payload: dict[str, Any] = {
        "user": user,
        "key": key,
        "content": reply.to_content(),
        "reaction": list(reaction) if reaction else None,
    }
    await JobRepository(session).schedule(
        JOB_DIRECT_MESSAGE, now, payload, now, dedupe_key=f"dm:{key}"
    )


class DirectMessageJobs:
    """The ``direct.message`` job handler."""

    def __init__(self, gateway: RoomGateway, txn_id: Callable[[str, str], str]) -> None:
        self._gateway = gateway
        self._txn_id = txn_id

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_DIRECT_MESSAGE: self.send}

    async def send(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Find or create the direct room, then queue the message (and its reaction target)."""
        user = str(job.payload["user"])
        rooms = DirectRoomRepository(session)
        room_id = await rooms.get(user)
        if room_id is None:
            power_levels, initial_state = case_room_state()
            for event in initial_state:
                if event["type"] == "m.room.history_visibility":
                    event["content"] = {"history_visibility": "invited"}
            room_id = await self._gateway.create_private_room(
                name=direct_room_name(user),
                invite=[user],
                federate=False,
                power_levels=power_levels,
                initial_state=initial_state,
            )
            await rooms.set(user, room_id, now)
            await RoomRepository(session).record_join(room_id, now, True)
            await RoomRepository(session).set_encrypted(room_id, True)
        txn = self._txn_id("dm", str(job.payload["key"]))
        await OutboxRepository(session).add(txn, room_id, dict(job.payload["content"]), now)
        reaction = job.payload.get("reaction")
        if reaction:
            kind, entity_id = str(reaction[0]), str(reaction[1])
            await ReactionTargetRepository(session).add(txn, kind, entity_id, room_id, now)
