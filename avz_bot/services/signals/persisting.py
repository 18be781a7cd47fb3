"""Persisting signal events: one small function per domain event type.

:meth:`SignalEvents.apply` looks each event up in one table (event type → function); each
function writes what its event means — matches, status changes, deletion, the audit
trail, retention jobs and notices in the outbox — inside the caller's transaction.
Replies are worded in :class:`avz_bot.services.signals.view.SignalView`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import signals as domain
from avz_bot.domain.inbound import Reply
from avz_bot.services.cases import CaseService
from avz_bot.services.refusal import Refused
from avz_bot.services.signals.view import SignalView
from storage.schedule_repositories import JobRepository
from storage.signal_repositories import SignalRepository, SignalRow

JOB_RETENTION = "signals.retention"

Enqueue = Callable[[str, str, Reply], Awaitable[None]]
#: One audit entry: actor, action, entity type, entity id, details, room.
Audit = Callable[[str, str, str, str, Mapping[str, Any], str | None], Awaitable[None]]
#: Signal rows the command has loaded, by id (the persisting functions read them here).
Known = Mapping[int, SignalRow]


class SignalEvents:
    """The persisting functions, one per event type, inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        signals: SignalRepository,
        *,
        view: SignalView,
        enqueue: Enqueue,
        audit: Audit,
        now: datetime,
        prefix: str,
    ) -> None:
        self._cases = cases
        self.signals = signals
        self.view = view
        self._enqueue = enqueue
        self._audit = audit
        self._now = now
        self._prefix = prefix
        self._jobs = JobRepository(session)
        self._table: Mapping[type[domain.SignalEvent], Callable[..., Awaitable[None]]] = {
            domain.MatchFound: self._persist_match,
            domain.CaseMatchFound: self._persist_case_match,
            domain.SignalWithdrawn: self._persist_withdrawn,
            domain.SignalExpired: self._persist_expired,
            domain.SignalDeleted: self._persist_deleted,
        }

    async def apply(
        self, events: list[domain.SignalEvent], key: str, known: Known | None = None
    ) -> None:
        """Persist every event with its function; ``known`` are the rows already loaded."""
        for event in events:
            await self._table[type(event)](event, key, known or {})

    async def schedule_retention(self, row: SignalRow, due: datetime) -> None:
        """(Re-)arm the signal's retention job (expire, then delete)."""
        await self._jobs.schedule(
            JOB_RETENTION,
            due,
            {"signal_id": row.id},
            self._now,
            dedupe_key=f"signal:{row.id}:retention",
            entity_type="signal",
            entity_id=str(row.id),
        )

    async def _audit_signal(
        self, actor: str, action: str, reference: str, details: Mapping[str, Any], room: str | None
    ) -> None:
        await self._audit(actor, action, "signal", reference, details, room)

    async def _persist_match(self, event: domain.MatchFound, key: str, known: Known) -> None:
        await self.signals.add_match(
            event.new.id, self._now, other_signal_id=event.other.id, case_id=None
        )
        await self._audit_signal(
            "bot",
            "signal.matched",
            event.new.reference,
            {"other": event.other.reference},
            None,
        )
        other, new = known.get(event.other.id), known.get(event.new.id)
        if other is None or new is None or other.professional == new.professional:
            return
        await self._enqueue(
            # One notice per professional, however many of their signals matched.
            f"signal-match:{key}:{other.professional}",
            other.contact_room,
            await self.view.match_notice(other, new),
        )

    async def _persist_case_match(
        self, event: domain.CaseMatchFound, key: str, known: Known
    ) -> None:
        await self.signals.add_match(
            event.new.id, self._now, other_signal_id=None, case_id=event.case_id
        )
        case = await self._cases.cases.get(event.case_id)
        new = known.get(event.new.id)
        if case is None or new is None:
            return
        await self._audit_signal(
            "bot", "signal.case_matched", new.reference, {"case": case.reference}, None
        )
        holder = case.regie_holder
        if holder is None:
            room = self._cases.coordination_room
            if room:
                await self._enqueue(
                    f"signal-case:{key}:{case.id}",
                    room,
                    self.view.case_match_coordination(new, case.reference),
                )
            return
        if holder == new.professional:
            return  # the regiehouder signalled the person of their own case: they know
        notice = await self.view.case_match_notice(new, case.reference)
        room = await self.signals.contact_room(holder)
        if room is None and case.room_id is not None:
            # No direct chat known: mention the regiehouder in the case room (encrypted,
            # only the case's partners) instead.
            room = case.room_id
            notice = Reply(notice.plain, notice.html, (holder,))
        if room is not None:
            await self._enqueue(f"signal-case:{key}:{case.id}", room, notice)

    async def _persist_withdrawn(
        self, event: domain.SignalWithdrawn, key: str, known: Known
    ) -> None:
        del key, known
        signal = event.signal
        if not await self.signals.set_status(
            signal.id,
            domain.SignalStatus.ACTIEF,
            domain.SignalStatus.INGETROKKEN,
            self._now,
            event.delete_at,
        ):
            raise Refused(self.view.not_found(signal.reference, self._prefix))
        await self._audit_signal(
            signal.professional,
            "signal.withdrawn",
            signal.reference,
            {"reason": event.reason},
            None,
        )
        row = await self.signals.get(signal.id)
        if row is not None:
            await self.schedule_retention(row, event.delete_at)

    async def _persist_expired(self, event: domain.SignalExpired, key: str, known: Known) -> None:
        del key, known
        signal = event.signal
        if not await self.signals.set_status(
            signal.id,
            domain.SignalStatus.ACTIEF,
            domain.SignalStatus.VERLOPEN,
            self._now,
            event.delete_at,
        ):
            return
        await self._audit_signal(
            "bot",
            "signal.expired",
            signal.reference,
            {"delete_at": event.delete_at.isoformat()},
            None,
        )
        row = await self.signals.get(signal.id)
        if row is not None:
            await self.schedule_retention(row, event.delete_at)

    async def _persist_deleted(self, event: domain.SignalDeleted, key: str, known: Known) -> None:
        del key, known
        if await self.signals.delete(event.signal.id):
            # The audit keeps the reference, never the pseudonym.
            await self._audit_signal("bot", "signal.deleted", event.signal.reference, {}, None)
