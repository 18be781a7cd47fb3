"""Report loaders of the escalation, signal and helpdesk areas (facts for the report).

Each loader implements a ``*Loader`` protocol of ``avz_bot.services.reports.sections``
and turns one area's tables into the plain facts of ``avz_bot.domain.reports.areas``
with one bounded statement per call: rows only for the period asked about (range on an
indexed time column, migration ``0011``), counts aggregated in the database, no query per
row. Instants are aware UTC; repositories never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from avz_bot.domain.cases.state import CaseStatus
from avz_bot.domain.helpdesk.status import CardStatus
from avz_bot.domain.reports.areas import (
    NO_MUNICIPALITY,
    CardFacts,
    EscalationFacts,
    MatchFacts,
    QuestionFacts,
    SignalFacts,
)
from storage.case_models import CaseRecord
from storage.escalation_models import EscalationLevelRecord, EscalationRecord
from storage.escalation_repositories import OPEN_ESCALATION_STATUSES
from storage.helpdesk_models import HelpdeskQuestionRecord, KnowledgeCardRecord
from storage.report_repositories import Window
from storage.signal_models import SignalMatchRecord, SignalRecord

#: Stored status of a published knowledge card (``avz_bot.domain.helpdesk.status.CardStatus``).
CARD_PUBLISHED = CardStatus.PUBLISHED
_CASE_OPEN = CaseRecord.status != CaseStatus.GESLOTEN


def _within(column: Any, window: Window) -> ColumnElement[bool]:
    return and_(column >= window[0], column < window[1])


async def _rows(session: AsyncSession, stmt: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await session.execute(cast("Select[Any]", stmt))).all()]


class EscalationReportLoader:
    """``EscalationLoader`` and the ``OpenEscalationsCounter`` gauge hook.

    The *level* of an escalation is the target kind of a frozen level (``ketenmanagers``,
    ``driehoek``, ``driehoek-regio``, ``bestuurder``): the level it was requested at is the
    lowest-numbered level that started (levels without people are skipped at request);
    the deciding level is the current level of a ``besloten`` escalation.
    Acknowledgement is the *first* acknowledgement (a release or a move to the next level
    clears ``acknowledged_at``, not ``first_acknowledged_at``).
    """

    async def escalations(
        self, session: AsyncSession, window: Window, municipality: str | None
    ) -> list[EscalationFacts]:
        """Every escalation requested in ``window`` (one statement; the requested level
        is a correlated lookup on the levels' primary key)."""
        e, c = EscalationRecord, CaseRecord
        requested = aliased(EscalationLevelRecord)
        decided = aliased(EscalationLevelRecord)
        requested_level = (
            select(requested.target_kind)
            .where(requested.escalation_id == e.id, requested.started_at.is_not(None))
            .order_by(requested.number)
            .limit(1)
            .scalar_subquery()
        )
        stmt = (
            select(
                e.route,
                requested_level,
                c.municipality,
                e.requested_at,
                e.first_acknowledged_at,
                e.decided_at,
                case((e.decided_at.is_not(None), decided.target_kind), else_=None),
            )
            .select_from(e)
            .join(c, c.id == e.case_id)
            .outerjoin(
                decided,
                and_(decided.escalation_id == e.id, decided.number == e.current_level),
            )
            .where(_within(e.requested_at, window))
        )
        if municipality:
            stmt = stmt.where(c.municipality == municipality)
        return [
            EscalationFacts(row[0], row[1] or "", *row[2:]) for row in await _rows(session, stmt)
        ]

    async def open_by_municipality(self, session: AsyncSession) -> Mapping[str, int]:
        """Open escalations (requested or acknowledged, of an open case) per
        municipality code, now: one ``GROUP BY`` (the same "open" as ``!opschalingen``)."""
        e, c = EscalationRecord, CaseRecord
        stmt = (
            select(c.municipality, func.count())
            .select_from(e)
            .join(c, c.id == e.case_id)
            .where(e.status.in_(OPEN_ESCALATION_STATUSES), _CASE_OPEN)
            .group_by(c.municipality)
        )
        return {row[0]: int(row[1]) for row in await _rows(session, stmt)}


class SignalReportLoader:
    """``SignalLoader`` over the person signals (``signals``, ``signal_matches``).

    A *match* is a pair of signals of different organisations on one person (rows with
    ``other_signal_id``); a new signal on the linked person of an open case is not counted
    as a match — that person already has a case. A match *led to a case* when either of
    its signals was linked to a case by a TVO ``casus`` decision (``signals.case_id``).
    Matches belong to the municipality of the newer signal (``signal_id``). Signals and
    matches are deleted ``archive_years`` after they stopped matching, so a report on a
    period older than that counts fewer.
    """

    async def signals(
        self, session: AsyncSession, window: Window, municipality: str | None
    ) -> list[SignalFacts]:
        """Signals registered in ``window``, ``GROUP BY category, municipality``; signals
        without a municipality under :data:`NO_MUNICIPALITY`."""
        s = SignalRecord
        stmt = (
            select(s.category, s.municipality, func.count())
            .where(_within(s.created_at, window))
            .group_by(s.category, s.municipality)
        )
        if municipality:
            stmt = stmt.where(s.municipality == municipality)
        return [
            SignalFacts(row[0], row[1] or NO_MUNICIPALITY, int(row[2]))
            for row in await _rows(session, stmt)
        ]

    async def matches(
        self, session: AsyncSession, window: Window, municipality: str | None
    ) -> list[MatchFacts]:
        """Matches found in ``window``, ``GROUP BY`` whether they led to a case."""
        m = SignalMatchRecord
        new, other = aliased(SignalRecord), aliased(SignalRecord)
        led = or_(new.case_id.is_not(None), other.case_id.is_not(None))
        led_flag = case((led, 1), else_=0)
        stmt = (
            select(led_flag, func.count())
            .select_from(m)
            .join(new, new.id == m.signal_id)
            .join(other, other.id == m.other_signal_id)
            .where(_within(m.created_at, window))
            .group_by(led_flag)
        )
        if municipality:
            stmt = stmt.where(new.municipality == municipality)
        return [MatchFacts(bool(row[0]), int(row[1])) for row in await _rows(session, stmt)]


class HelpdeskReportLoader:
    """``HelpdeskLoader`` over ``helpdesk_questions`` and ``knowledge_cards``.

    *First response*: a claim or an answer (``first_response_at``); *solution*: the
    answer (``answered_at``; a re-opened question has none until it is answered again).
    The service level is the theme's ``first_response_days`` of the ``[helpdesk]``
    settings, in working hours (one working day = the office day, as the helpdesk's own
    breach clock counts it: ``avz_bot.domain.helpdesk.lifecycle.clock_deadline``).
    """

    def __init__(self, first_response_hours: Callable[[str], float]) -> None:
        self._first_response_hours = first_response_hours

    def service_level_hours(self, theme: str) -> float:
        """The first-response service level of ``theme``, in working hours."""
        return self._first_response_hours(theme)

    async def questions(self, session: AsyncSession, window: Window) -> list[QuestionFacts]:
        """Questions asked in ``window``."""
        q = HelpdeskQuestionRecord
        stmt = select(q.theme, q.created_at, q.first_response_at, q.answered_at).where(
            _within(q.created_at, window)
        )
        return [QuestionFacts(*row) for row in await _rows(session, stmt)]

    async def cards(self, session: AsyncSession, window: Window, now: datetime) -> list[CardFacts]:
        """Cards published in ``window`` and published cards whose review date passed
        before ``now`` (``review_due_at`` only for cards that are published now)."""
        k = KnowledgeCardRecord
        published_now = k.status == CARD_PUBLISHED
        stmt = select(k.published_at, case((published_now, k.review_due), else_=None)).where(
            or_(_within(k.published_at, window), and_(published_now, k.review_due < now))
        )
        return [CardFacts(*row) for row in await _rows(session, stmt)]
