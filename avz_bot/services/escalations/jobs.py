"""Job and reaction handlers of the escalation area, and the daily digest.

The digest is one durable recurring job (``digest.daily``, one row re-armed after each
run) that posts one message in the coordination room at office start on working days,
built from a list of *section providers*: each returns a :class:`DigestSection` for the
day (heading, at most ``limit`` lines, how many more), and sections without lines are left
out; nothing is sent when every section is empty.
Other areas add a provider (e.g. "today's conferences") to the list given to
:class:`DigestJobs` in the composition root.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import IncomingReaction
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import sections
from avz_bot.scheduled_jobs import lateness
from avz_bot.services.area import Bind, DigestProvider, DigestSection, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.conferences.service import ConferenceService
from avz_bot.services.escalations import JOB_ESCALATION_CLOCK, EscalationService
from storage.outbox_repositories import LANE_BULK, ReactionTargetRow
from storage.schedule_repositories import JOB_PENDING, JOB_RUNNING, JobRepository, JobRow

JOB_DIGEST = "digest.daily"
DIGEST_KEY = "digest:daily"
#: A digest run this much after office start says it comes late (the bot was down).
LATE_AFTER_SECONDS = 3600

#: A digest section provider: ``provider(unit, limit) -> DigestSection`` (at most ``limit``
#: lines, most urgent first, and how many more); a section without lines is left out.
SectionProvider = DigestProvider


class EscalationJobs:
    """The escalation clock job and the 👍 reaction handler."""

    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_ESCALATION_CLOCK: self.clock}

    async def clock(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """A clock of an escalation fell due (possibly late, after downtime): its
        reminders and next-level pings are bulk notifications."""
        del now
        await self._bind(session, lane=LANE_BULK)[EscalationService].clock_fired(job)

    @staticmethod
    async def reaction(
        unit: Unit,
        member: Member | None,
        target: ReactionTargetRow,
        reaction: IncomingReaction,
    ) -> None:
        """A reaction on an escalation ping (coordination room or direct chat)."""
        await unit[EscalationService].reaction(
            member, target.entity_id, reaction.event_id, reaction.key
        )


# ------------------------------------------------------------------------ digest


def _bounded(heading: str, lines: list[str], limit: int) -> DigestSection:
    return DigestSection(heading, lines[:limit], max(0, len(lines) - limit))


async def open_escalations(unit: Unit, limit: int) -> DigestSection:
    """Open escalations, oldest first."""
    lines, more = await unit[EscalationService].open_lines(limit)
    return DigestSection(unit[CaseService].t("esc.digest.open"), lines, more)


async def overdue_acknowledgements(unit: Unit, limit: int) -> DigestSection:
    """Escalations whose acknowledgement timeout has passed, oldest first."""
    lines = await unit[EscalationService].overdue_acknowledgements()
    return _bounded(unit[CaseService].t("esc.digest.overdue"), lines, limit)


async def cases_without_regie(unit: Unit, limit: int) -> DigestSection:
    """Open cases nobody holds regie of, longest vacant first."""
    cases = unit[CaseService]
    rows = await cases.cases.cases_without_regie(unit.now())
    rows.sort(key=lambda r: r.regie_vacant_since or r.created_at)
    lines = [
        cases.t(
            "esc.digest.unregie_line",
            reference=row.reference,
            municipality=cases.municipality_name(row.municipality),
            since=cases.when(row.regie_vacant_since),
        )
        for row in rows
    ]
    return _bounded(cases.t("esc.digest.unregie"), lines, limit)


async def overdue_agreements(unit: Unit, limit: int) -> DigestSection:
    """The number of overdue open agreements per municipality (one grouped query)."""
    cases = unit[CaseService]
    counts = await unit[EscalationService].overdue_agreement_counts()
    lines = [
        cases.t(
            "esc.digest.agreements_line",
            municipality=cases.municipality_name(municipality),
            count=count,
        )
        for municipality, count in counts
    ]
    return _bounded(cases.t("esc.digest.agreements"), lines, limit)


async def todays_conferences(unit: Unit, limit: int) -> DigestSection:
    """Today's case conferences per municipality (reference and time, no content)."""
    lines = await unit[ConferenceService].digest_today()
    return _bounded(unit[CaseService].t("conference.digest.heading"), lines, limit)


DEFAULT_SECTIONS: tuple[SectionProvider, ...] = (
    open_escalations,
    overdue_acknowledgements,
    cases_without_regie,
    overdue_agreements,
    todays_conferences,
)


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
    """The daily digest: one message from the section providers, or nothing."""

    def __init__(
        self,
        bind: Bind,
        calendar: WorkCalendar,
        coordination_room: str | None,
        providers: tuple[SectionProvider, ...] = DEFAULT_SECTIONS,
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
            for provider in self._providers:
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
