"""The escalation, signal and helpdesk part of the seeded report fixture (known content).

Called by ``seed_report_fixture`` with some of its cases. The figures this gives for
October 2026 against September 2026 are worked out in
``tests/storage/test_report_service.py``. Times are UTC; in October 2026 (CEST until the
25th) 09:00 UTC is 11:00 local, and office hours run 08:30–17:30 local.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.workdays import WorkCalendar
from storage.case_models import CaseRecord
from storage.escalation_models import EscalationLevelRecord, EscalationRecord
from storage.helpdesk_models import HelpdeskQuestionRecord, KnowledgeCardRecord
from storage.signal_models import SignalMatchRecord, SignalRecord

_CAL = WorkCalendar()
#: Monday 5 October 2026, 11:00 local.
OCT_5 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
#: Monday 7 September 2026, 11:00 local.
SEP_7 = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)


def _working_days_later(start: datetime, n: int) -> datetime:
    return datetime.combine(_CAL.add_working_days(start.date(), n), start.timetz())


def _working_hours_later(start: datetime, hours: float) -> datetime:
    return _CAL.add_working_time(start, timedelta(hours=hours))


@dataclass
class AreaCases:
    """Cases of the main fixture the area rows hang on."""

    groningen_oct: list[CaseRecord]  # open
    oldambt_oct: list[CaseRecord]  # open
    groningen_sep: list[CaseRecord]  # open
    closed: CaseRecord


class AreaSeeder:
    """Adds escalations (with frozen levels), signals, matches, questions and cards."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.count = 0

    async def escalation(
        self,
        case: CaseRecord,
        route: str,
        requested: datetime,
        levels: tuple[str, ...],
        *,
        started: tuple[int, ...] = (1,),
        status: str = "aangevraagd",
        ack_after_hours: float | None = None,
        decided_after_days: int | None = None,
        deciding_level: int | None = None,
    ) -> None:
        """One escalation; ``levels``: target kinds of the frozen levels 1, 2, …;
        ``started``: the level numbers it reached (the first is the requested level)."""
        self.count += 1
        acked = (
            _working_hours_later(requested, ack_after_hours)
            if ack_after_hours is not None
            else None
        )
        decided = (
            _working_days_later(requested, decided_after_days)
            if decided_after_days is not None
            else None
        )
        current = deciding_level or started[-1]
        record = EscalationRecord(
            reference=f"ESC-{requested.year}-{self.count}",
            case_id=case.id,
            route=route,
            status="besloten" if decided else status,
            urgent=False,
            partner_org=None,
            requester="@seed:avz.test",
            requester_org="politie",
            reason="reden",
            decision_asked="besluit",
            current_level=current,
            level_started_at=requested,
            acknowledged_by="@km:avz.test" if acked else None,
            acknowledged_at=acked,
            first_acknowledged_at=acked,
            decision="besloten" if decided else None,
            decided_at=decided,
            close_reason=None,
            closed_at=decided,
            requested_at=requested,
        )
        self.session.add(record)
        await self.session.flush()
        for number, kind in enumerate(levels, start=1):
            self.session.add(
                EscalationLevelRecord(
                    escalation_id=record.id,
                    number=number,
                    target_kind=kind,
                    scope="",
                    ack_working_hours=4.0,
                    decision_working_days=5,
                    urgent_ack_minutes=60.0,
                    urgent_decision_hours=8.0,
                    started_at=requested if number in started else None,
                    acknowledged_at=None,
                    left_at=None,
                )
            )

    async def signal(
        self, category: str, municipality: str | None, created: datetime, case_id: int | None
    ) -> SignalRecord:
        """One person signal (a pseudonym that identifies nobody)."""
        self.count += 1
        record = SignalRecord(
            year=created.year,
            number=self.count,
            reference=f"SIG-{created.year}-{self.count}",
            pseudonym=f"v1:{self.count:064x}",
            key_version="v1",
            weak_key=False,
            category=category,
            municipality=municipality,
            professional="@seed:avz.test",
            organisation_code="politie",
            contact_room="!dm:avz.test",
            created_at=created,
            expires_at=created + timedelta(days=730),
            delete_at=None,
            status="actief",
            status_changed_at=created,
            triage="casus" if case_id else "open",
            relist_at=None,
            case_id=case_id,
        )
        self.session.add(record)
        await self.session.flush()
        return record

    def match(
        self,
        new: SignalRecord,
        other: SignalRecord | None,
        at: datetime,
        case_id: int | None = None,
    ) -> None:
        """A match of ``new`` with ``other`` (or with a case's linked person)."""
        self.session.add(
            SignalMatchRecord(
                signal_id=new.id,
                other_signal_id=other.id if other else None,
                case_id=case_id,
                created_at=at,
            )
        )

    def question(
        self,
        theme: str,
        asked: datetime,
        response_hours: float | None,
        solution_days: int | None = None,
    ) -> None:
        """One question; first response after ``response_hours`` working hours, answered
        ``solution_days`` working days after it was asked."""
        self.count += 1
        first = _working_hours_later(asked, response_hours) if response_hours else None
        answered = _working_days_later(asked, solution_days) if solution_days else None
        self.session.add(
            HelpdeskQuestionRecord(
                year=asked.year,
                number=self.count,
                room_id="!helpdesk:avz.test",
                thread_root=f"$q{self.count}",
                theme=theme,
                text="vraag",
                asker="@seed:avz.test",
                status="beantwoord" if answered else ("opgepakt" if first else "open"),
                claimed_by="@expert:avz.test" if first else None,
                first_response_at=first,
                answer="antwoord" if answered else None,
                answered_by="@expert:avz.test" if answered else None,
                answered_at=answered,
                closed_at=None,
                closed_automatic=None,
                solution_from=None,
                sla_notified=None,
                created_at=asked,
            )
        )

    def card(
        self,
        status: str,
        published: datetime | None,
        review_due: datetime | None,
    ) -> None:
        """One knowledge card."""
        self.count += 1
        self.session.add(
            KnowledgeCardRecord(
                number=self.count,
                theme="privacy",
                title="kaart",
                body="inhoud",
                owner="@expert:avz.test",
                status=status,
                question_id=None,
                created_by="@expert:avz.test",
                created_at=published or OCT_5,
                updated_at=published or OCT_5,
                published_at=published,
                review_due=review_due,
                retired_at=None,
            )
        )


async def seed_area_fixture(session: AsyncSession, cases: AreaCases) -> None:
    """Escalations, signals with matches, helpdesk questions and cards (see the module
    docstring for where the expected figures are)."""
    s = AreaSeeder(session)
    # ---- escalations. October: 11 inhoudelijk at ketenmanager level on Groningen cases;
    # 10 acknowledged after 1,1,2,2,3,3,4,5,6,6 working hours and decided 1,1,1,2,2,2,3,
    # 3,4,5 working days after the request, the first 5 by the ketenmanagers, the others
    # after a move to the regional driehoek (level 2); 1 still waiting.
    km_route = ("ketenmanagers", "driehoek-regio")
    ack = (1, 1, 2, 2, 3, 3, 4, 5, 6, 6)
    days = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5)
    for i in range(10):
        await s.escalation(
            cases.groningen_oct[i % len(cases.groningen_oct)],
            "inhoudelijk",
            OCT_5,
            km_route,
            started=(1,) if i < 5 else (1, 2),
            ack_after_hours=ack[i],
            decided_after_days=days[i],
        )
    await s.escalation(cases.groningen_oct[0], "inhoudelijk", OCT_5, km_route)
    # 2 samenwerking on Oldambt cases: level 1 (ketenmanagers) had nobody, so they were
    # requested at level 2, the bestuurder; not acknowledged.
    for case in cases.oldambt_oct[:2]:
        await s.escalation(
            case, "samenwerking", OCT_5, ("ketenmanagers", "bestuurder"), started=(2,)
        )
    # September: 6 inhoudelijk at ketenmanager level; 3 still acknowledged (open), 3
    # de-escalated.
    for i in range(6):
        await s.escalation(
            cases.groningen_sep[i % len(cases.groningen_sep)],
            "inhoudelijk",
            SEP_7,
            km_route,
            status="ontvangen" if i < 3 else "afgeschaald",
            ack_after_hours=2 if i < 3 else None,
        )
    # An escalation left waiting on a case closed since: open for nobody.
    await s.escalation(
        cases.closed, "inhoudelijk", datetime(2025, 6, 3, 9, 0, tzinfo=UTC), km_route
    )

    # ---- signals. October 6: overlast 7 Groningen, 2 Oldambt, 1 without municipality;
    # huiselijk-geweld 5 Groningen, 6 Westerkwartier. The first 6 went to a case.
    oct_6 = OCT_5 + timedelta(days=1)
    spec: list[tuple[str, str | None]] = [("overlast", "groningen")] * 7
    spec += [("overlast", "oldambt")] * 2
    spec += [("overlast", None)] + [("huiselijk-geweld", "groningen")] * 5
    spec += [("huiselijk-geweld", "westerkwartier")] * 6
    case_id = cases.groningen_oct[0].id
    october = [
        await s.signal(cat, muni, oct_6, case_id if i < 6 else None)
        for i, (cat, muni) in enumerate(spec)
    ]
    # 11 matches on October 7: (i, i+1) for i = 0..10 → the first 6 touch a signal with a
    # case; plus a match with a case's linked person, which is no match between signals.
    oct_7 = oct_6 + timedelta(days=1)
    for i in range(11):
        s.match(october[i], october[i + 1], oct_7)
    s.match(october[12], None, oct_7, case_id=case_id)
    # September 8: overlast 4 and huiselijk-geweld 5 in Groningen; 5 matches, no case.
    sep_8 = SEP_7 + timedelta(days=1)
    september = [await s.signal("overlast", "groningen", sep_8, None) for _ in range(4)]
    september += [await s.signal("huiselijk-geweld", "groningen", sep_8, None) for _ in range(5)]
    for i in range(5):
        s.match(september[i], september[i + 1], sep_8 + timedelta(days=1))

    # ---- helpdesk. October 5: privacy (service level 0.5 working day in the tests = 4.5
    # working hours) 10 questions, first response after 1,1,2,2,3 | 5,6,6,8,8 working
    # hours; the first 5 answered 1,1,2,2,3 working days after asking. jeugd (default 1
    # working day = 9 working hours): 3 questions, one claimed after 1 hour.
    for h, sol in zip(
        (1, 1, 2, 2, 3, 5, 6, 6, 8, 8), (1, 1, 2, 2, 3, None, None, None, None, None), strict=True
    ):
        s.question("privacy", OCT_5, h, sol)
    for h2 in (1, None, None):
        s.question("jeugd", OCT_5, h2)
    for _ in range(6):
        s.question("privacy", SEP_7, 1, 1)
    # Cards: 2 published in October; 1 published in March, review overdue; a retired card
    # with a past review date and a draft (neither counts).
    oct_8 = OCT_5 + timedelta(days=3)
    for _ in range(2):
        s.card("gepubliceerd", oct_8, oct_8 + timedelta(days=180))
    march = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    s.card("gepubliceerd", march, march + timedelta(days=180))
    s.card("vervallen", march, march + timedelta(days=180))
    s.card("concept", None, None)
    await session.flush()
