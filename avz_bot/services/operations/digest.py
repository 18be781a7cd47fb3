"""The daily digest for the ketenmanagers: one message, from every area's sections.

The digest is one durable recurring job (``digest.daily``, one row re-armed after each
run) that posts one message in the coordination room at office start on working days,
built from the areas' *section providers* (``Area.digest``, in order of urgency): each
returns a :class:`~avz_bot.services.area.DigestSection` for the day (heading, at most
``limit`` lines, how many more); sections without lines are left out, and nothing is sent
when every section is empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import sections
from avz_bot.scheduled_jobs import lateness
from avz_bot.services.area import Bind, DigestProvider, Unit, digest_providers
from avz_bot.services.cases import CaseService
from storage.outbox_repositories import LANE_BULK
from storage.schedule_repositories import JOB_PENDING, JOB_RUNNING, JobRepository, JobRow

JOB_DIGEST = "digest.daily"
DIGEST_KEY = "digest:daily"
#: A digest run this much after office start says it comes late (the bot was down).
LATE_AFTER_SECONDS = 3600


def next_digest_at(calendar: WorkCalendar, after: datetime, at: time | None = None) -> datetime:
    """The next ``at`` (local; default office start) on a working day strictly after
    ``after`` (UTC)."""
    wall = at or calendar.office_start
    day = calendar.local_date(after)
    start = calendar.at(day, wall)
    if calendar.is_working_day(day) and start > after:
        return start
    return calendar.at(calendar.next_working_day(day), wall)


class DigestJobs:
    """The daily digest: one message from the section providers, or nothing.

    ``providers`` None: every area's sections, from the unit's areas (``Area.digest``).
    """

    def __init__(
        self,
        bind: Bind,
        calendar: WorkCalendar,
        coordination_room: str | None,
        providers: Sequence[DigestProvider] | None = None,
        *,
        enabled: bool = True,
        at: time | None = None,
        limit: int = 15,
    ) -> None:
        self._bind = bind
        self._calendar = calendar
        self._room = coordination_room
        self._providers = providers
        self._enabled = enabled
        self._at = at
        self._limit = limit

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_DIGEST: self.run}

    def _sections(self, unit: Unit) -> Sequence[DigestProvider]:
        if self._providers is not None:
            return self._providers
        return digest_providers(unit.app.areas)

    async def arm(self, session: AsyncSession, now: datetime) -> None:
        """Make sure the digest job exists (at start-up; it re-arms itself after each run)."""
        if not self._enabled or not self._room:
            return
        jobs = JobRepository(session)
        existing = await jobs.by_key(DIGEST_KEY)
        if existing is None or existing.status not in {JOB_PENDING, JOB_RUNNING}:
            due = next_digest_at(self._calendar, now, self._at)
            await jobs.schedule(JOB_DIGEST, due, {}, now, dedupe_key=DIGEST_KEY)

    async def run(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Post today's digest (bulk; once: a late run after downtime says so), then
        re-arm."""
        unit = self._bind(session, lane=LANE_BULK)
        if self._room and self._calendar.is_working_day(self._calendar.local_date(now)):
            parts = []
            for provider in self._sections(unit):
                section = await provider(unit, self._limit)
                if section.lines:
                    more = (
                        [unit[CaseService].t("esc.list.more", count=section.more)]
                        if section.more
                        else []
                    )
                    parts.append((section.heading, [*section.lines, *more]))
            if parts:
                title = unit[CaseService].t(
                    "esc.digest.title", date=self._calendar.local_date(now).strftime("%d-%m-%Y")
                )
                if lateness(job, now).total_seconds() > LATE_AFTER_SECONDS:
                    note = unit[CaseService].t(
                        "esc.digest.late", planned=unit[CaseService].when(job.due_at)
                    )
                    title = f"{title} {note}"
                reply = sections(title, parts, "")
                await unit.enqueue(f"digest:{job.due_at.isoformat()}", self._room, reply)
        await JobRepository(session).schedule(
            JOB_DIGEST,
            next_digest_at(self._calendar, now, self._at),
            {},
            now,
            dedupe_key=DIGEST_KEY,
        )
