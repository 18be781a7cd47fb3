"""Direct messages from the bot to one person, durable and sent at most once.

Any area may send a direct message inside its unit of work with :func:`send_direct`:

* when the bot already has a direct chat with the person (table ``direct_rooms``), the
  message goes into the outbox in the same transaction, like any other notification;
* otherwise a ``dm.deliver`` job is scheduled in that transaction. The job (on the one
  scheduler, retried with back-off while the homeserver is away) creates an encrypted,
  invite-only direct chat (``is_direct``, so clients list it under people), records it, and
  queues the message in the outbox, all in the job's transaction.

The message's outbox transaction id is derived from the caller's ``key`` in both cases
(``txn_id_for("notify", "dm:<key>")``), so a repeated call or a re-run job cannot post twice.
Jobs run one after another, so two messages for a new contact make one chat: the second
job finds the chat the first recorded. Personal data never goes into room state: the chat
has no name or topic.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.ports import DirectRoomGateway
from storage.helpdesk_repositories import DirectRoomRepository
from storage.repositories import AuditRepository, OutboxRepository, RoomRepository
from storage.schedule_repositories import JobRepository, JobRow

JOB_DIRECT_MESSAGE = "dm.deliver"

Enqueue = Callable[[str, str, Reply], Awaitable[None]]


async def send_direct(
    session: AsyncSession, user_id: str, key: str, reply: Reply, now: datetime, enqueue: Enqueue
) -> None:
    """Send ``reply`` to ``user_id`` in the bot's direct chat (made first if needed).

    ``key`` identifies the message (e.g. ``helpdesk:VR-2026-7:new:@expert:example.org``):
    the same key is never sent twice.
    """
    room_id = await DirectRoomRepository(session).get(user_id)
    if room_id is not None:
        await enqueue(f"dm:{key}", room_id, reply)
        return
    await JobRepository(session).schedule(
        JOB_DIRECT_MESSAGE,
        now,
        {"user_id": user_id, "key": key, "content": reply.to_content()},
        now,
        dedupe_key=f"dm:{key}",
        entity_type="direct_message",
        entity_id=user_id,
    )


class DirectMessageJobs:
    """Handler of ``dm.deliver``: make sure the direct chat exists, then queue the message."""

    def __init__(
        self,
        gateway: DirectRoomGateway,
        *,
        federate: bool,
        txn_id: Callable[[str, str], str],
    ) -> None:
        """``txn_id(kind, key)`` is the core's ``txn_id_for`` (the outbox id scheme that
        the unit of work's ``enqueue`` uses too)."""
        self._gateway = gateway
        self._federate = federate
        self._txn_id = txn_id

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_DIRECT_MESSAGE: self.deliver}

    async def deliver(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Create the chat if needed (the homeserver call may raise ``SendError``: the job
        is then retried) and put the message in the outbox."""
        user_id = str(job.payload["user_id"])
        rooms = DirectRoomRepository(session)
        room_id = await rooms.get(user_id)
        if room_id is None:
            room_id = await self._gateway.create_direct_room(user_id, federate=self._federate)
            await rooms.set(user_id, room_id, now)
            bot_rooms = RoomRepository(session)
            await bot_rooms.record_join(room_id, now, True)
            await bot_rooms.set_encrypted(room_id, True)
            await AuditRepository(session).append(
                occurred_at=now,
                actor="bot",
                actor_org=None,
                action="direct_chat.created",
                room_id=room_id,
                entity_type="member",
                entity_id=user_id,
            )
        await OutboxRepository(session).add(
            self._txn_id("notify", f"dm:{job.payload['key']}"),
            room_id,
            dict(job.payload["content"]),
            now,
        )
