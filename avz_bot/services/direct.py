"""Direct messages from the bot to one member, durable and exactly once.

Any area can tell one person something privately (a match on a signal, an escalation
ping, a helpdesk question for an expert) with ``UnitServices.direct(user_id, key,
reply)`` inside its unit of work (in the unit's delivery lane, through
``AppServices``'s size guard like every other message):

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

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.ports import RoomGateway, SendError
from avz_bot.scheduling import Handler
from avz_bot.services.audit import Audit
from avz_bot.services.cases import case_room_state
from avz_bot.services.outbox import txn_id_for
from avz_bot.services.throttle import follow_later
from storage.direct_repositories import DirectChatRepository, PendingDirect
from storage.outbox_repositories import ReactionTargetRepository
from storage.runtime_repositories import RoomRepository
from storage.schedule_repositories import JobRepository, JobRow

#: The job that creates a member's direct chat.
JOB_OPEN_DIRECT = "direct.open"


def _open_key(user_id: str) -> str:
    return f"direct:{user_id}"


class Outbox(Protocol):
    """What direct messages need of the one way into the outbox (``AppServices``)."""

    def events(self, txn_id: str, reply: Reply) -> list[tuple[str, dict[str, Any]]]:
        """The outbox events of ``reply``, size guard applied."""
        ...

    async def queue(
        self, session: AsyncSession, txn_id: str, room_id: str, reply: Reply, *, lane: int
    ) -> int:
        """Queue ``reply`` (size guard, lane, attachments)."""
        ...

    async def queue_held(
        self, session: AsyncSession, room_id: str, held: Sequence[PendingDirect]
    ) -> None:
        """Queue messages that waited for their recipient (size guard again, their lane)."""
        ...


class DirectMessages:
    """Direct messages within one unit of work (see the module docstring).

    Made only by ``AppServices.direct_messages`` (a source scan checks it), so every
    direct message enters the outbox through ``AppServices``: size guard and lane.
    """

    def __init__(self, session: AsyncSession, now: datetime, outbox: Outbox, lane: int) -> None:
        """``outbox`` is the one way into the outbox; ``lane`` that of the unit of work
        (a message that waits for the join keeps it)."""
        self._session = session
        self._now = now
        self._outbox = outbox
        self._lane = lane

    async def send(
        self, user_id: str, key: str, reply: Reply, *, reaction: tuple[str, str] | None = None
    ) -> None:
        """Send ``reply`` to ``user_id`` in their direct chat; ``key`` names the cause
        uniquely (e.g. ``signal-match:12:34``).

        ``reaction`` is ``(kind, entity_id)`` when reactions to the message are to be
        routed to the handler registered for ``kind`` (the room is recorded when it is
        sent, see ``ReactionTargetRepository.record_sent``).
        """
        txn_id = txn_id_for("direct", key)
        if reaction:
            kind, entity_id = reaction
            # The text event's transaction id (see ``reply_events``).
            await ReactionTargetRepository(self._session).add(
                txn_id, kind, entity_id, "", self._now
            )
        chats = DirectChatRepository(self._session)
        chat = await chats.get(user_id)
        if chat is not None and chat.room_id is not None and chat.joined:
            await self._outbox.queue(self._session, txn_id, chat.room_id, reply, lane=self._lane)
            return
        for event_txn, content in self._outbox.events(txn_id, reply):
            await chats.hold(user_id, event_txn, content, self._now, lane=self._lane)
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
        waiting = await chats.take_pending(user_id)
        await self._outbox.queue_held(self._session, room_id, waiting)
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
        try:
            room_id = await self._gateway.create_private_room(
                name=None,  # clients name a direct chat after the other person
                invite=[user_id],
                federate=self._federate,
                power_levels=power_levels,
                initial_state=initial_state,
                is_direct=True,
            )
        except SendError as exc:
            if exc.retry_after is None:
                raise
            # Rate-limited: later, as one job (its messages wait for the room anyway).
            await follow_later(session, job, now, exc.retry_after)
            return
        await chats.set_room(user_id, room_id, now, joined=False)
        rooms = RoomRepository(session)
        await rooms.record_join(room_id, now, True)
        await rooms.set_encrypted(room_id, True)
        await Audit(session, now).record(
            "direct.room_created",
            room_id=room_id,
            entity_type="member",
            entity_id=user_id,
        )
