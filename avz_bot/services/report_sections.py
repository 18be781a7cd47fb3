"""Report section providers: one registered provider per section.

A provider loads its facts with the aggregate queries of ``storage.report_repositories``
(or, for areas built later, through a loader ``Protocol``) and computes its ``Section``
with the pure functions of ``avz_bot.domain.report_sections`` / ``report_areas``. The
report shows exactly the sections whose providers are registered
(``ReportService(providers=…)``): escalations, signals and the helpdesk appear once the
lead registers ``EscalationSection(loader)`` etc. with a loader for their tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import report_agreements, report_areas, report_sections
from avz_bot.domain.report_agreements import AgreementCounts, AgreementFacts, LateAgreement
from avz_bot.domain.report_figures import Section
from avz_bot.domain.report_sections import (
    CaseCounts,
    CaseloadFacts,
    Labels,
    OpenedCase,
    RegieFacts,
    VacantCase,
)
from avz_bot.domain.reports import Period, WorkingTime
from storage.report_repositories import ReportRepository, Window


@dataclass(frozen=True)
class ReportContext:
    """Everything a provider needs for one report (one transaction)."""

    session: AsyncSession
    period: Period
    previous: Period
    current_window: Window
    previous_window: Window
    #: The 12 months (UTC windows) ending with the period's last month, for trend lines;
    #: every month of the period when it is longer.
    trend_months: Sequence[Window]
    municipality: str | None
    now: datetime
    labels: Labels
    work: WorkingTime
    threshold: int


class SectionProvider(Protocol):
    """One report section: ``None`` when it has nothing to show for this report."""

    key: str

    async def section(self, ctx: ReportContext) -> Section | None:
        """Load the facts (bounded, aggregate queries) and compute the section."""
        ...


class CaseloadSection:
    """Caseload per municipality × case type (cases table)."""

    key = "caseload"

    async def section(self, ctx: ReportContext) -> Section | None:
        repo = ReportRepository(ctx.session)
        rows = await repo.caseload(ctx.current_window, ctx.previous_window, ctx.municipality)
        monthly = await repo.opened_per_month(ctx.trend_months, ctx.municipality)
        facts = CaseloadFacts(
            current={
                (r.municipality, r.case_type): CaseCounts(r.opened, r.active, r.closed)
                for r in rows
            },
            previous={
                (r.municipality, r.case_type): CaseCounts(
                    r.opened_prev, r.active_prev, r.closed_prev
                )
                for r in rows
            },
            months=[ctx.work.calendar.local_date(start) for start, _ in ctx.trend_months],
            monthly=monthly,
        )
        return report_sections.caseload(facts, ctx.labels, ctx.threshold)


class RegieSection:
    """Procesregie: time to a first regiehouder, cases without regie, regie changes
    (cases table and the audit trail's regie events)."""

    key = "regie"

    async def section(self, ctx: ReportContext) -> Section | None:
        repo = ReportRepository(ctx.session)
        first = await repo.first_regie(
            (ctx.previous_window[0], ctx.current_window[1]), ctx.municipality
        )

        def opened(window: Window) -> list[OpenedCase]:
            return [
                OpenedCase(r.case_type, r.municipality, r.created_at, r.first_regie_at)
                for r in first
                if window[0] <= r.created_at < window[1]
            ]

        changes = await repo.regie_changes(
            ctx.current_window, ctx.previous_window, ctx.municipality
        )

        def per_case(window: Window, current: bool) -> list[int]:
            found: list[int] = []
            for r in changes:
                if r.first_regie_at >= window[1] or r.created_at >= window[1]:
                    continue
                if r.closed_at is not None and r.closed_at < window[0]:
                    continue
                events = r.events if current else r.events_prev
                # The first regie event gives the case a holder; only later ones change it.
                first_here = window[0] <= r.first_regie_at < window[1]
                found.append(events - (1 if first_here else 0))
            return found

        vacant = await repo.vacant_now(ctx.municipality)
        facts = RegieFacts(
            opened_current=opened(ctx.current_window),
            opened_previous=opened(ctx.previous_window),
            changes_current=per_case(ctx.current_window, True),
            changes_previous=per_case(ctx.previous_window, False),
            vacant=[VacantCase(m, since) for m, since in vacant],
            now=ctx.now,
        )
        return report_sections.procesregie(facts, ctx.labels, ctx.work, ctx.threshold)


class AgreementsSection:
    """Agreements: on time, working days overdue, postponements (agreements tables)."""

    key = "agreements"

    async def section(self, ctx: ReportContext) -> Section | None:
        repo = ReportRepository(ctx.session)
        rows = await repo.agreement_counts(
            ctx.current_window, ctx.previous_window, ctx.municipality
        )
        late = await repo.late_agreements(
            (ctx.previous_window[0], ctx.current_window[1]), ctx.now, ctx.municipality
        )
        start = ctx.current_window[0]
        late_now = [r for r in late if r.deadline >= start]
        late_prev = [r for r in late if r.deadline < start]
        p_now, p_prev = await repo.postponements(
            ctx.current_window, ctx.previous_window, ctx.municipality
        )
        facts = AgreementFacts(
            current={r.municipality: AgreementCounts(r.due, r.on_time, r.postponed) for r in rows},
            previous={
                r.municipality: AgreementCounts(r.due_prev, r.on_time_prev, r.postponed_prev)
                for r in rows
            },
            late_current=[
                LateAgreement(r.municipality, r.deadline, r.completed_at) for r in late_now
            ],
            late_previous=[
                LateAgreement(r.municipality, r.deadline, r.completed_at) for r in late_prev
            ],
            postponements_current=p_now,
            postponements_previous=p_prev,
            now=ctx.now,
        )
        return report_agreements.agreements(facts, ctx.labels, ctx.work, ctx.threshold)


# ------------------------------------------------------------------ areas built later
class EscalationLoader(Protocol):
    """Loads escalation facts (to be implemented when escalations are merged).

    ``escalations``: every escalation *requested* in ``window`` (UTC, half-open), of
    ``municipality`` if given, as ``EscalationFacts(route, level, municipality,
    requested_at, acknowledged_at, decided_at, decided_level)``: one bounded query
    ``WHERE requested_at >= start AND requested_at < end`` (index on requested_at).
    """

    async def escalations(
        self, session: AsyncSession, window: Window, municipality: str | None
    ) -> Sequence[report_areas.EscalationFacts]: ...


class SignalLoader(Protocol):
    """Loads signal facts (to be implemented when signals are merged).

    ``signals``: signals submitted in ``window``, aggregated ``GROUP BY category,
    municipality`` as ``SignalFacts(category, municipality, count)``; ``matches``:
    matches found in ``window`` as ``MatchFacts(led_to_case, count)`` (``GROUP BY``
    whether a case was opened from the match).
    """

    async def signals(
        self, session: AsyncSession, window: Window, municipality: str | None
    ) -> Sequence[report_areas.SignalFacts]: ...

    async def matches(
        self, session: AsyncSession, window: Window, municipality: str | None
    ) -> Sequence[report_areas.MatchFacts]: ...


class HelpdeskLoader(Protocol):
    """Loads helpdesk facts (to be implemented when the helpdesk is merged).

    ``questions``: questions asked in ``window`` as ``QuestionFacts(theme, asked_at,
    first_response_at, solved_at)``; ``cards``: knowledge cards published in ``window``
    or with a review date before ``now`` as ``CardFacts(published_at, review_due_at)``;
    ``service_level_hours``: the first-response service level in working hours.
    """

    service_level_hours: float

    async def questions(
        self, session: AsyncSession, window: Window
    ) -> Sequence[report_areas.QuestionFacts]: ...

    async def cards(
        self, session: AsyncSession, window: Window, now: datetime
    ) -> Sequence[report_areas.CardFacts]: ...


class EscalationSection:
    """Escalations per route and level (register with a loader once escalations exist)."""

    key = "escalations"

    def __init__(self, loader: EscalationLoader) -> None:
        self._loader = loader

    async def section(self, ctx: ReportContext) -> Section | None:
        load = self._loader.escalations
        current = await load(ctx.session, ctx.current_window, ctx.municipality)
        previous = await load(ctx.session, ctx.previous_window, ctx.municipality)
        return report_areas.escalations(current, previous, ctx.work, ctx.threshold)


class SignalSection:
    """Signals per category and municipality, matches (register with a loader)."""

    key = "signals"

    def __init__(self, loader: SignalLoader) -> None:
        self._loader = loader

    async def section(self, ctx: ReportContext) -> Section | None:
        loader, s, m = self._loader, ctx.session, ctx.municipality
        return report_areas.signals(
            await loader.signals(s, ctx.current_window, m),
            await loader.signals(s, ctx.previous_window, m),
            await loader.matches(s, ctx.current_window, m),
            await loader.matches(s, ctx.previous_window, m),
            ctx.labels.municipalities,
            ctx.threshold,
        )


class HelpdeskSection:
    """Helpdesk questions and knowledge cards (register with a loader)."""

    key = "helpdesk"

    def __init__(self, loader: HelpdeskLoader) -> None:
        self._loader = loader

    async def section(self, ctx: ReportContext) -> Section | None:
        if ctx.municipality is not None:
            return None  # questions are per theme, not per municipality
        loader = self._loader
        return report_areas.helpdesk(
            await loader.questions(ctx.session, ctx.current_window),
            await loader.questions(ctx.session, ctx.previous_window),
            await loader.cards(ctx.session, ctx.current_window, ctx.now),
            ctx.current_window,
            ctx.now,
            loader.service_level_hours,
            ctx.work,
            ctx.threshold,
        )


def default_providers() -> tuple[SectionProvider, ...]:
    """The sections whose data exists on this branch, in report order."""
    return (CaseloadSection(), RegieSection(), AgreementsSection())


def labels_for(
    municipalities: Mapping[str, str], case_types: Mapping[str, str], municipality: str | None
) -> Labels:
    """Report labels, limited to one municipality when the report is filtered."""
    if municipality is not None:
        municipalities = {municipality: municipalities[municipality]}
    return Labels(dict(municipalities), dict(case_types))
