"""A seeded database with known content for the trend-report tests (and the README example).

Cases over two years in three municipalities and two types, regie taken, transferred,
released and re-taken, agreements on time, late and open past their deadline, and
postponements; escalations, signals with matches, helpdesk questions and knowledge cards
(``avz_bot.testkit.report_area_fixture``). ``tests/storage/test_report_service.py`` asserts the exact figures this
gives for October 2026 against September 2026, at ``NOW``. Every instant is 09:00 UTC on
a weekday, so working days are whole local dates (no public holidays in Sept/Oct 2026).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.workdays import WorkCalendar
from avz_bot.testkit.report_area_fixture import AreaCases, seed_area_fixture
from storage.agreement_models import AgreementPostponementRecord, AgreementRecord
from storage.audit_models import AuditLogRecord
from storage.case_models import CaseRecord

#: The moment the fixture's reports are built (a Monday).
NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
_CAL = WorkCalendar()


def at(year: int, month: int, day: int) -> datetime:
    """09:00 UTC on that day."""
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def plus_working_days(start: datetime, n: int) -> datetime:
    """The same wall-clock time ``n`` working days later."""
    day = _CAL.add_working_days(start.date(), n) if n else start.date()
    return datetime.combine(day, start.timetz())


class Seeder:
    """Adds cases, regie events and agreements directly (the report reads only tables)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.count = 0

    async def case(
        self,
        municipality: str,
        case_type: str,
        created: datetime,
        *,
        regie_after: int | None = None,
        closed: datetime | None = None,
        events: tuple[tuple[str, datetime], ...] = (),
    ) -> CaseRecord:
        """One case; ``regie_after``: working days until the first ``regie_taken``;
        ``events``: further (action kind, instant) regie events. The case's current
        regie columns follow the last event."""
        self.count += 1
        reference = f"AVZ-{created.year}-{self.count:05d}"
        timeline: list[tuple[str, datetime]] = [("member_added", created)]
        if regie_after is not None:
            timeline.append(("regie_taken", plus_working_days(created, regie_after)))
        timeline += list(events)
        holder_since: datetime | None = None
        vacant_since: datetime | None = created
        for kind, when in timeline:
            if kind in ("regie_taken", "regie_transferred", "regie_assigned"):
                holder_since, vacant_since = when, None
            elif kind == "regie_released":
                holder_since, vacant_since = None, when
        record = CaseRecord(
            reference=reference,
            title="werktitel",
            municipality=municipality,
            case_type=case_type,
            status="gesloten" if closed else "actief",
            room_id=None,
            created_by="@seed:avz.test",
            created_at=created,
            status_changed_at=closed or created,
            closed_at=closed,
            regie_holder="@holder:avz.test" if holder_since else None,
            regie_org="politie" if holder_since else None,
            regie_since=holder_since,
            regie_vacant_since=vacant_since,
            unregie_reported_on=None,
            version=1,
        )
        self.session.add(record)
        for kind, when in timeline:
            self.session.add(
                AuditLogRecord(
                    occurred_at=when,
                    actor="@seed:avz.test",
                    actor_org="politie",
                    action=f"case.{kind}",
                    room_id=None,
                    entity_type="case",
                    entity_id=reference,
                    details={},
                )
            )
        await self.session.flush()
        return record

    async def agreement(
        self,
        case: CaseRecord,
        deadline: datetime,
        *,
        completed: datetime | None = None,
        status: str | None = None,
        postponed_at: tuple[datetime, ...] = (),
    ) -> AgreementRecord:
        """One agreement of ``case`` (``klaar`` when ``completed``, else ``open``)."""
        self.count += 1
        record = AgreementRecord(
            case_id=case.id,
            number=self.count,
            description="afspraak",
            owner_user=None,
            owner_org="politie",
            created_by="@seed:avz.test",
            created_at=deadline - timedelta(days=20),
            deadline=deadline,
            status=status or ("klaar" if completed else "open"),
            completed_at=completed,
            note=None,
            version=1,
        )
        self.session.add(record)
        await self.session.flush()
        for when in postponed_at:
            self.session.add(
                AgreementPostponementRecord(
                    agreement_id=record.id,
                    old_deadline=deadline - timedelta(days=7),
                    new_deadline=deadline,
                    reason="uitstel",
                    by_user="@seed:avz.test",
                    at=when,
                )
            )
        return record


async def seed_report_fixture(session: AsyncSession) -> None:
    """The known content (see the test module for the figures it must give)."""
    s = Seeder(session)
    a = [
        await s.case("groningen", "veelpleger", at(2026, 10, 5), regie_after=k)
        for k in (0, 1, 1, 2, 3, 5, 8)
    ]
    for k in (1, 1, 2, 2, 4, None):
        await s.case("groningen", "jeugdgroep", at(2026, 10, 12), regie_after=k)
    c = [await s.case("oldambt", "jeugdgroep", at(2026, 10, 14)) for _ in range(3)]
    d = [
        await s.case(
            "westerkwartier",
            "jeugdgroep",
            at(2026, 10, 20),
            regie_after=0,
            events=(("regie_transferred", at(2026, 10, 27)),)
            + ((("regie_assigned", at(2026, 11, 3)),) if i < 2 else ()),
        )
        for i in range(8)
    ]
    e = [
        await s.case("groningen", "veelpleger", at(2026, 9, 7), regie_after=k)
        for k in (3, 3, 4, 6, 10)
    ]
    for _ in range(2):
        await s.case("groningen", "jeugdgroep", at(2026, 9, 8), regie_after=1)
    g = [
        await s.case(
            "oldambt",
            "jeugdgroep",
            at(2026, 9, 9),
            regie_after=2,
            closed=at(2026, 10, 20) if i < 3 else None,
        )
        for i in range(6)
    ]
    for i in range(6):
        events: tuple[tuple[str, datetime], ...] = (("regie_released", at(2026, 9, 21)),)
        if i < 4:
            events += (("regie_taken", at(2026, 10, 5)),)
        await s.case("westerkwartier", "jeugdgroep", at(2026, 9, 10), regie_after=0, events=events)
    for _ in range(5):
        await s.case(
            "westerkwartier", "veelpleger", at(2025, 3, 10), regie_after=0, closed=at(2026, 10, 15)
        )
    pga = [
        await s.case("groningen", "pga", at(2025, 6, 2), regie_after=0, closed=at(2025, 12, 1))
        for _ in range(4)
    ]

    # Agreements due in October (deadline Friday 17:00 local).
    oct_9 = datetime(2026, 10, 9, 15, 0, tzinfo=UTC)
    for i in range(7):
        await s.agreement(
            a[i],
            oct_9,
            completed=at(2026, 10, 8),
            postponed_at=(at(2026, 10, 5), at(2026, 10, 5)) if i == 0 else (),
        )
    await s.agreement(a[0], oct_9, completed=at(2026, 10, 13), postponed_at=(at(2026, 10, 5),))
    await s.agreement(a[1], oct_9, completed=at(2026, 10, 14))
    await s.agreement(a[2], oct_9, completed=at(2026, 10, 16))
    await s.agreement(a[3], oct_9, status="vervallen")
    oct_23 = datetime(2026, 10, 23, 15, 0, tzinfo=UTC)
    await s.agreement(d[0], oct_23, completed=at(2026, 10, 22), postponed_at=(at(2026, 10, 20),))
    await s.agreement(d[1], oct_23, completed=at(2026, 10, 23))
    await s.agreement(d[2], oct_23, completed=at(2026, 10, 26))
    await s.agreement(d[3], oct_23, completed=at(2026, 10, 29))
    await s.agreement(d[4], oct_23)
    await s.agreement(d[5], oct_23)
    # Agreements due in September.
    sep_18 = datetime(2026, 9, 18, 14, 0, tzinfo=UTC)
    for i in range(5):
        await s.agreement(e[i], sep_18, completed=at(2026, 9, 17))
    sep_25 = datetime(2026, 9, 25, 15, 0, tzinfo=UTC)
    await s.agreement(g[0], sep_25, completed=at(2026, 9, 24))
    for i, day in enumerate((29, 30)):
        await s.agreement(g[i + 1], sep_25, completed=at(2026, 9, day))
    for i, day in enumerate((1, 2)):
        await s.agreement(g[i + 3], sep_25, completed=at(2026, 10, day))
    await session.flush()
    await seed_area_fixture(session, AreaCases(a, c, e, pga[0]))
