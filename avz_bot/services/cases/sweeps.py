"""The periodic case sweep: lapse expired regie proposals, report cases without regie."""

from __future__ import annotations

from datetime import datetime

from avz_bot.domain import cases as domain
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.cases.base import CaseStore, Coordination, Enqueue
from avz_bot.services.cases.persisting import CaseEvents
from avz_bot.services.cases.view import CaseView
from avz_bot.settings_sections.cases import CasesSettings


class CaseSweeps:
    """The periodic sweep over all cases, inside one transaction."""

    def __init__(
        self,
        store: CaseStore,
        *,
        events: CaseEvents,
        view: CaseView,
        coordination: Coordination,
        enqueue: Enqueue,
        settings: CasesSettings,
        calendar: WorkCalendar,
        now: datetime,
    ) -> None:
        self._store = store
        self._cases = store.cases
        self._events = events
        self._view = view
        self._coordination = coordination
        self._enqueue = enqueue
        self._settings = settings
        self._calendar = calendar
        self._now = now

    async def sweep(self) -> int:
        """Lapse expired proposals and report cases without regie; returns messages queued."""
        now = self._now
        queued = 0
        for proposal in await self._cases.expired_proposals(now):
            row = await self._cases.get(proposal.case_id)
            if row is None:
                continue
            loaded = await self._store.load(row)
            outcome = domain.expire_proposal(loaded.state, now)
            if outcome is None:
                await self._cases.resolve_proposal(proposal.id, "expired", now)
                continue
            key = f"expiry:{proposal.id}"
            reply = await self._events.apply(loaded, outcome, row.room_id or "", key)
            if row.room_id:
                await self._enqueue(key, row.room_id, reply)
                queued += 1
        if self._settings.coordination_room and self._calendar.is_office_time(now):
            queued += await self._report_unregie(now)
        return queued

    async def _report_unregie(self, now: datetime) -> int:
        today = self._calendar.local_date(now)
        queued = 0
        threshold = self._settings.unregie_report_after_working_days
        for row in await self._cases.cases_without_regie(now):
            if row.regie_vacant_since is None:
                continue
            vacant_day = self._calendar.local_date(row.regie_vacant_since)
            due = domain.unregie_report_due(
                vacant_day,
                row.unregie_reported_on,
                today,
                threshold,
                self._calendar.working_days_between,
            )
            if not due or not await self._cases.mark_unregie_reported(row.id, today):
                continue
            days = self._calendar.working_days_between(vacant_day, today)
            await self._coordination.tell(
                f"unregie:{row.id}:{today.isoformat()}", self._view.coord_unregie(row, days)
            )
            queued += 1
        return queued
