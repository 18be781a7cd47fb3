"""Direct messages from the bot to one member, durable and exactly once.

Any area can tell one person something privately (a match on a signal, an escalation
ping, a helpdesk question for an expert) with ``UnitServices.direct(user_id, key,
reply)`` inside its unit of work:

- if the member has joined their direct chat with the bot, the message goes into the
  outbox at once (same transaction as the change that caused it);
- otherwise it waits in ``direct_pending`` and, the first time, a durable job
  (``direct.open``) creates the chat: an encrypted, invite-only room with the bot's
  usual safe state, marked ``is_direct`` so clients list it as a direct chat;
- when the member joins (``BotCore.member_changed``), their waiting messages move to
  the outbox. A member who leaves their chat gets a new one with the next message.

Messages wait for the join because the member can only decrypt what is sent after
they joined (``history_visibility: joined`` and the key sharing of the bot's client).
The transaction id of each message derives from ``key``, so the same message queued
twice is sent once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.ports import RoomGateway
from avz_bot.scheduling import Handler
from avz_bot.services.cases import case_room_state
from avz_bot.services.outbox import reply_events, txn_id_for
from storage.direct_repositories import DirectChatRepository
from storage.outbox_repositories import OutboxRepository
from storage.repositories import AuditRepository
from storage.room_repositories import RoomRepository
from storage.schedule_repositories import JobRepository, JobRow

#: Reply → ``(txn_id, content)`` events (``AppServices.events``).
Events = Callable[[str, Reply], list[tuple[str, dict[str, Any]]]]

#: The job that creates a member's direct chat.
JOB_OPEN_DIRECT = "direct.open"


def _open_key(user_id: str) -> str:
    return f"direct:{user_id}"


class DirectMessages:
    """Direct messages within one unit of work (see the module docstring)."""

    def __init__(self, session: AsyncSession, now: datetime, events: Events | None = None) -> None:
        """``events`` turns a reply into its outbox events (``AppServices.events``, with
        the size guard); without it the reply's events are taken as they are."""
        self._session = session
        self._now = now
        self._events = events or reply_events

    async def send(self, user_id: str, key: str, reply: Reply) -> None:
        """Send ``reply`` to ``user_id`` in their direct chat; ``key`` names the cause
        uniquely (e.g. ``signal-match:12:34``)."""
        chats = DirectChatRepository(self._session)
        chat = await chats.get(user_id)
        events = self._events(txn_id_for("direct", key), reply)
        if chat is not None and chat.room_id is not None and chat.joined:
            outbox = OutboxRepository(self._session)
            for txn_id, content in events:
                await outbox.add(txn_id, chat.room_id, content, self._now)
            return
        for txn_id, content in events:
            await chats.hold(user_id, txn_id, content, self._now)
        if chat is None or chat.room_id is None:
            await chats.request(user_id, self._now)
            await JobRepository(self._session).schedule(
                JOB_OPEN_DIRECT,
                self._now,
                {"user_id": user_id},
                self._now,
                dedupe_key=_open_key(user_id),
            )

    async def joined(self, room_id: str, user_id: str) -> int:
        """``user_id`` joined ``room_id``: if it is their direct chat, queue what waits
        for them. Returns how many messages were released."""
        chats = DirectChatRepository(self._session)
        if not await chats.mark_joined(room_id, user_id, self._now):
            return 0
        outbox = OutboxRepository(self._session)
        waiting = await chats.take_pending(user_id)
        for message in waiting:
            await outbox.add(message.txn_id, room_id, message.content, self._now)
        return len(waiting)

    async def left(self, room_id: str, user_id: str) -> None:
        """``user_id`` left ``room_id``: if it was their direct chat, forget it."""
        chats = DirectChatRepository(self._session)
        chat = await chats.by_room(room_id)
        if chat is not None and chat.user_id == user_id:
            await chats.forget_room(room_id, self._now)


class DirectJobs:
    """The handler of ``direct.open`` (room creation needs the homeserver, so it runs
    as a job after the commit, retried with backoff when the homeserver is away)."""

    def __init__(self, gateway: RoomGateway, *, federate: bool) -> None:
        self._gateway = gateway
        self._federate = federate

    def handlers(self) -> dict[str, Handler]:
        """Job kind → handler, for the scheduler."""
        return {JOB_OPEN_DIRECT: self.open_direct}

    async def open_direct(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Create the member's direct chat and invite them (nothing if it exists)."""
        user_id = str(job.payload["user_id"])
        chats = DirectChatRepository(session)
        chat = await chats.get(user_id)
        if chat is not None and chat.room_id is not None:
            return
        power_levels, initial_state = case_room_state()
        room_id = await self._gateway.create_private_room(
            name=None,  # clients name a direct chat after the other person
            invite=[user_id],
            federate=self._federate,
            power_levels=power_levels,
            initial_state=initial_state,
            is_direct=True,
        )
        await chats.set_room(user_id, room_id, now, joined=False)
        rooms = RoomRepository(session)
        await rooms.record_join(room_id, now, True)
        await rooms.set_encrypted(room_id, True)
        await AuditRepository(session).append(
            occurred_at=now,
            actor="bot",
            actor_org=None,
            action="direct.room_created",
            room_id=room_id,
            entity_type="member",
            entity_id=user_id,
        )
