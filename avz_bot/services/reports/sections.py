"""Report section providers: one registered provider per section.

A provider loads its facts with the aggregate queries of ``storage.report_repositories``
(or, for the escalation, signal and helpdesk areas, through a loader ``Protocol``
implemented in ``storage.report_area_repositories``) and computes its ``Section``
with the pure functions of ``avz_bot.domain.reports.sections`` / ``report_areas``. The
report shows exactly the sections whose providers are registered
(``ReportService(providers=…)``); ``report_providers`` is the full list the bot and the
CLI use. A section of those areas is left out when it has no data in either period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.reports import agreements as report_agreements
from avz_bot.domain.reports import areas as report_areas
from avz_bot.domain.reports import sections as report_sections
from avz_bot.domain.reports.agreements import AgreementCounts, AgreementFacts, LateAgreement
from avz_bot.domain.reports.figures import Section
from avz_bot.domain.reports.periods import Period, WorkingTime
from avz_bot.domain.reports.sections import (
    CaseCounts,
    CaseloadFacts,
    Labels,
    OpenedCase,
    RegieFacts,
    VacantCase,
)
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from storage.report_area_repositories import (
    EscalationReportLoader,
    HelpdeskReportLoader,
    SignalReportLoader,
)
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


# ------------------------------------------------------------------ other areas
class EscalationLoader(Protocol):
    """Loads escalation facts (``storage.report_area_repositories``).

    ``escalations``: every escalation *requested* in ``window`` (UTC, half-open), of
    ``municipality`` if given, as ``EscalationFacts(route, level, municipality,
    requested_at, acknowledged_at, decided_at, decided_level)``: one bounded query
    ``WHERE requested_at >= start AND requested_at < end`` (index on requested_at).
    """

    async def escalations(
        self, session: AsyncSession, window: Window, municipality: str | None
    ) -> Sequence[report_areas.EscalationFacts]: ...


class SignalLoader(Protocol):
    """Loads signal facts (``storage.report_area_repositories``).

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
    """Loads helpdesk facts (``storage.report_area_repositories``).

    ``questions``: questions asked in ``window`` as ``QuestionFacts(theme, asked_at,
    first_response_at, solved_at)``; ``cards``: knowledge cards published in ``window``
    or with a review date before ``now`` as ``CardFacts(published_at, review_due_at)``;
    ``service_level_hours(theme)``: the theme's first-response service level in working
    hours (service levels are set per theme).
    """

    def service_level_hours(self, theme: str) -> float: ...

    async def questions(
        self, session: AsyncSession, window: Window
    ) -> Sequence[report_areas.QuestionFacts]: ...

    async def cards(
        self, session: AsyncSession, window: Window, now: datetime
    ) -> Sequence[report_areas.CardFacts]: ...


class EscalationSection:
    """Escalations per route and level."""

    key = "escalations"

    def __init__(self, loader: EscalationLoader) -> None:
        self._loader = loader

    async def section(self, ctx: ReportContext) -> Section | None:
        load = self._loader.escalations
        current = await load(ctx.session, ctx.current_window, ctx.municipality)
        previous = await load(ctx.session, ctx.previous_window, ctx.municipality)
        if not current and not previous:
            return None  # no data in either period: the section is left out
        return report_areas.escalations(current, previous, ctx.work, ctx.threshold)


class SignalSection:
    """Signals per category and municipality, matches."""

    key = "signals"

    def __init__(self, loader: SignalLoader) -> None:
        self._loader = loader

    async def section(self, ctx: ReportContext) -> Section | None:
        loader, s, m = self._loader, ctx.session, ctx.municipality
        facts = (
            await loader.signals(s, ctx.current_window, m),
            await loader.signals(s, ctx.previous_window, m),
            await loader.matches(s, ctx.current_window, m),
            await loader.matches(s, ctx.previous_window, m),
        )
        if not any(facts):
            return None  # no data in either period: the section is left out
        return report_areas.signals(*facts, ctx.labels.municipalities, ctx.threshold)


class HelpdeskSection:
    """Helpdesk questions and knowledge cards."""

    key = "helpdesk"

    def __init__(self, loader: HelpdeskLoader) -> None:
        self._loader = loader

    async def section(self, ctx: ReportContext) -> Section | None:
        if ctx.municipality is not None:
            return None  # questions are per theme, not per municipality
        loader = self._loader
        current = await loader.questions(ctx.session, ctx.current_window)
        previous = await loader.questions(ctx.session, ctx.previous_window)
        cards = await loader.cards(ctx.session, ctx.current_window, ctx.now)
        if not current and not previous and not cards:
            return None  # no data in either period: the section is left out
        return report_areas.helpdesk(
            current,
            previous,
            cards,
            ctx.current_window,
            ctx.now,
            loader.service_level_hours,
            ctx.work,
            ctx.threshold,
        )


def default_providers() -> tuple[SectionProvider, ...]:
    """The sections over cases and agreements, in report order (see ``report_providers``)."""
    return (CaseloadSection(), RegieSection(), AgreementsSection())


def report_providers(
    helpdesk: HelpdeskSettings, calendar: WorkCalendar
) -> tuple[SectionProvider, ...]:
    """Every section of the report, in report order: the one list that ``!rapport``, the
    scheduled report (both through ``AppServices.bind``) and ``avz-bot report`` use.

    Escalations, signals and the helpdesk read through the loaders of
    ``storage.report_area_repositories``; the helpdesk's service level is each theme's
    ``first_response_days`` in working hours (one working day = ``calendar.office_day``).
    """
    office_hours = calendar.office_day.total_seconds() / 3600.0

    def first_response_hours(theme: str) -> float:
        return helpdesk.level_for(theme).first_response_days * office_hours

    return (
        *default_providers(),
        EscalationSection(EscalationReportLoader()),
        SignalSection(SignalReportLoader()),
        HelpdeskSection(HelpdeskReportLoader(first_response_hours)),
    )


def labels_for(
    municipalities: Mapping[str, str], case_types: Mapping[str, str], municipality: str | None
) -> Labels:
    """Report labels, limited to one municipality when the report is filtered."""
    if municipality is not None:
        municipalities = {municipality: municipalities[municipality]}
    return Labels(dict(municipalities), dict(case_types))
