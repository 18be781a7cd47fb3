"""Operational gauges for Prometheus: open cases, cases without regie, overdue agreements
and open escalations (the ``OpenEscalationsCounter`` hook, implemented by
``storage.report_area_repositories.EscalationReportLoader``), per municipality — counts
only, never an identifier.

Refreshed when /metrics is scraped, at most once per ``gauge_refresh_seconds``, with two
aggregate queries (``ReportRepository.gauges``) plus one per registered hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import Clock
from avz_bot.logs import get_logger
from avz_bot.metrics import BotMetrics
from storage.db import Database
from storage.report_repositories import ReportRepository

log = get_logger(__name__)


class OpenEscalationsCounter(Protocol):
    """Hook for the escalations area: open escalations per municipality code, now
    (one aggregate query, ``GROUP BY municipality``)."""

    async def open_by_municipality(self, session: AsyncSession) -> Mapping[str, int]: ...


class GaugeRefresher:
    """Fills the per-municipality gauges of ``BotMetrics`` from the database."""

    def __init__(
        self,
        database: Database,
        metrics: BotMetrics,
        clock: Clock,
        min_interval: timedelta,
        open_escalations: OpenEscalationsCounter | None = None,
    ) -> None:
        self._database = database
        self._metrics = metrics
        self._clock = clock
        self._min_interval = min_interval
        self._escalations = open_escalations
        self._last: datetime | None = None

    async def refresh(self) -> None:
        """Refresh unless refreshed recently; a database error keeps the old values."""
        now = self._clock.now()
        if self._last is not None and now - self._last < self._min_interval:
            return
        try:
            async with self._database.session() as session, session.begin():
                rows = await ReportRepository(session).gauges(now)
                escalations = (
                    await self._escalations.open_by_municipality(session)
                    if self._escalations is not None
                    else None
                )
        except Exception as exc:  # /metrics must keep answering; no data in the log line
            log.warning("gauge refresh failed", extra={"error": type(exc).__name__})
            return
        self._last = now
        m = self._metrics
        for gauge in (m.open_cases, m.cases_without_regie, m.overdue_agreements):
            gauge.clear()
        for row in rows:
            m.open_cases.labels(row.municipality).set(row.open_cases)
            m.cases_without_regie.labels(row.municipality).set(row.without_regie)
            m.overdue_agreements.labels(row.municipality).set(row.overdue_agreements)
        if escalations is not None:
            m.open_escalations.clear()
            for municipality, count in escalations.items():
                m.open_escalations.labels(municipality).set(count)
