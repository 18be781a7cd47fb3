"""Events whose room key has not arrived: parked, retried after each sync, explained once.

A part of ``BotCore`` (``avz_bot.runtime.core``), composed into it; the adapter parks the ciphertext here
(``undecryptable``), retries it after every sync (``pending_undecryptable``) and removes
it once decrypted and handled (``decrypted_late``). After the grace period the sender is
told once (per room, per window) that the bot could not read the message, and it is
dropped, so a resend cannot run twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from avz_bot.formatting import text
from avz_bot.ports import EncryptedEventRef
from avz_bot.runtime.core_state import CoreParts
from storage.runtime_repositories import PendingEncryptedRepository, ProcessedEventRepository

#: At most one "could not decrypt" explanation per sender and room in this window.
EXPLANATION_WINDOW = timedelta(hours=12)


class UndecryptableEvents:
    """The ``InboundPort``'s parked (undecryptable) events."""

    def __init__(self, parts: CoreParts, grace: timedelta) -> None:
        self._parts = parts
        self._db = parts.db
        self._clock = parts.clock
        self._grace = grace
        self._explained_recently: dict[tuple[str, str], datetime] = {}
        # Per-sync work that usually finds nothing is skipped while nothing can be there
        # (profiled: these queries were half the bot's CPU per command). Parked events
        # only come from ``undecryptable``.
        self._maybe_undecryptable = True

    async def undecryptable(self, ref: EncryptedEventRef) -> None:
        """Park an event whose key has not arrived; it is retried after each sync."""
        self._maybe_undecryptable = True
        async with self._db.session() as session, session.begin():
            if await ProcessedEventRepository(session).is_processed(ref.event_id):
                return
            await PendingEncryptedRepository(session).add(
                event_id=ref.event_id,
                room_id=ref.room_id,
                sender=ref.sender,
                session_id=ref.session_id,
                sender_key=ref.sender_key,
                source=ref.source,
                first_seen_at=self._clock.now(),
            )

    async def pending_undecryptable(self) -> list[EncryptedEventRef]:
        """Parked events still worth retrying."""
        if not self._maybe_undecryptable:
            return []
        async with self._db.session() as session:
            rows = await PendingEncryptedRepository(session).all_unexplained()
        if not rows:
            self._maybe_undecryptable = False
        return [
            EncryptedEventRef(
                event_id=row.event_id,
                room_id=row.room_id,
                sender=row.sender,
                session_id=row.session_id,
                sender_key=row.sender_key,
                source=row.source,
                sent_at=row.first_seen_at,
            )
            for row in rows
        ]

    async def decrypted_late(self, event_id: str) -> None:
        """The key arrived: the event is processed normally and no longer parked."""
        async with self._db.session() as session, session.begin():
            await PendingEncryptedRepository(session).remove(event_id)

    async def explain(self) -> None:
        """After the grace period, tell the sender once (per room, per window) and give up."""
        if not self._maybe_undecryptable:
            return
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            pending = PendingEncryptedRepository(session)
            due = await pending.due_for_explanation(now - self._grace)
            for row in due:
                if not await pending.mark_explained(row.event_id, now):
                    continue
                key = (row.room_id, row.sender)
                last = self._explained_recently.get(key)
                if last is not None and now - last < EXPLANATION_WINDOW:
                    continue
                self._explained_recently[key] = now
                reply = text(self._parts.messages.t("room.undecryptable", sender=row.sender))
                await self._parts.outbox.enqueue(
                    session, "undecryptable", row.event_id, row.room_id, reply
                )
