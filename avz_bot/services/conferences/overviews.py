"""Conferences as other areas show them: the ``!mijn`` section and the daily digest."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.access_log import Shown
from avz_bot.services.cases import CaseService
from avz_bot.services.conferences.view import ConferenceView
from avz_bot.settings_sections.conferences import ConferenceSettings
from storage.conference_repositories import ConferenceRepository


class ConferenceOverviews:
    """The conference lines of ``!mijn`` and the daily digest, inside one transaction (a
    collaborator of the conference service)."""

    def __init__(
        self,
        cases: CaseService,
        repo: ConferenceRepository,
        *,
        settings: ConferenceSettings,
        calendar: WorkCalendar,
        view: ConferenceView,
    ) -> None:
        self._cases = cases
        self.repo = repo
        self._settings = settings
        self._calendar = calendar
        self.view = view

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """``!mijn``: the sender's upcoming conferences, soonest first (bounded)."""
        limit = self._settings.list_limit
        found = await self.repo.upcoming_for_user(member.matrix_id, self.now, limit + 1)
        lines = [
            self.view.plate_line(c.conference.reference, c.case_reference, c.conference.starts_at)
            for c in found[:limit]
        ]
        self._cases.reads.note(
            *(Shown("conference", c.conference.reference) for c in found[:limit]),
            *(Shown("case", c.case_reference) for c in found[:limit]),
        )
        if len(found) > limit:
            total = await self.repo.count_upcoming_for_user(member.matrix_id, self.now)
            lines.append(self.view.t("conference.more", count=total - limit))
        return self.view.t("conference.plate_heading"), lines

    async def digest_today(self) -> list[str]:
        """Today's (local) conferences for the daily digest, one line each, grouped by
        municipality: ``"Groningen: 14:00 OV-… (AVZ-…)"``."""
        day = self._calendar.local_date(self.now)
        return [
            f"{name}: {line}" for name, lines in await self.digest_section(day) for line in lines
        ]

    async def digest_section(self, day: date) -> list[tuple[str, list[str]]]:
        """The daily digest: ``day``'s (local date) planned conferences per municipality,
        as (municipality name, lines); reference and time only, no content."""
        start = self._calendar.at(day, time(0, 0))
        end = self._calendar.at(day + timedelta(days=1), time(0, 0))
        found = await self.repo.planned_between(start, end, limit=200)
        groups: dict[str, list[str]] = {}
        for c in found:
            name = self._cases.municipality_name(c.municipality)
            groups.setdefault(name, []).append(
                self.view.digest_line(
                    c.conference.reference, c.case_reference, c.conference.starts_at
                )
            )
        return sorted(groups.items())
