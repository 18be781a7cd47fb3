"""The periodic case sweep: lapse expired regie proposals, report cases without regie."""

from __future__ import annotations

from datetime import datetime

from avz_bot.domain import cases as domain
from avz_bot.services.cases.persisting import CasePersisting


class CaseSweeps(CasePersisting):
    """The periodic sweep over all cases."""

    async def sweep(self) -> int:
        """Lapse expired proposals and report cases without regie; returns messages queued."""
        now = self._now
        queued = 0
        for proposal in await self.cases.expired_proposals(now):
            row = await self.cases.get(proposal.case_id)
            if row is None:
                continue
            loaded = await self._load(row)
            outcome = domain.expire_proposal(loaded.state, now)
            if outcome is None:
                await self.cases.resolve_proposal(proposal.id, "expired", now)
                continue
            reply = await self.apply(loaded, outcome, row.room_id or "", f"expiry:{proposal.id}")
            if row.room_id:
                await self._enqueue(f"expiry:{proposal.id}", row.room_id, reply)
                queued += 1
        if self._settings.coordination_room and self._calendar.is_office_time(now):
            queued += await self._report_unregie(now)
        return queued

    async def _report_unregie(self, now: datetime) -> int:
        today = self._calendar.local_date(now)
        queued = 0
        threshold = self._settings.unregie_report_after_working_days
        for row in await self.cases.cases_without_regie(now):
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
            if not due or not await self.cases.mark_unregie_reported(row.id, today):
                continue
            days = self._calendar.working_days_between(vacant_day, today)
            await self._tell_coordination(
                f"unregie:{row.id}:{today.isoformat()}",
                self.t(
                    "case.coord.unregie",
                    reference=row.reference,
                    municipality=self.municipality_name(row.municipality),
                    case_type=self.case_type_name(row.case_type),
                    days=days,
                    since=self.when(row.regie_vacant_since),
                ),
            )
            queued += 1
        return queued
