"""Escalation overviews: ``!opschalingen``, the ``!mijn`` section and the digest's data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as case_domain
from avz_bot.domain import escalations as domain
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import text
from avz_bot.lists import Page, window
from avz_bot.services.access_log import Shown
from avz_bot.services.cases import CaseService
from avz_bot.services.escalations.base import frozen_level
from avz_bot.services.escalations.view import EscalationView
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.escalations import EscalationSettings
from storage.escalation_repositories import (
    EscalationRepository,
    ListedEscalation,
)


class EscalationOverviews:
    """Bounded lists of escalations (one joined query each, no per-row follow-ups)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        escalations: EscalationRepository,
        *,
        settings: EscalationSettings,
        calendar: WorkCalendar,
        view: EscalationView,
        prefix: str,
    ) -> None:
        self._session = session
        self._cases = cases
        self.escalations = escalations
        self._settings = settings
        self._calendar = calendar
        self.view = view
        self._prefix = prefix

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    def _refuse(self, key: str, /, **values: object) -> Refused:
        return Refused(text(self.view.t(key, **values)))

    def _lines(self, listed: list[ListedEscalation]) -> list[str]:
        """List lines (the rows come from one joined query)."""
        return [
            self.view.list_line(
                item.row,
                frozen_level(item.level),
                item.municipality,
                self._calendar.working_hours_between(item.row.requested_at, self.now),
            )
            for item in listed
        ]

    async def overview(self, member: Member, room_id: str, page: int = 1) -> Reply:
        """``!opschalingen [pagina=]``: all open ones in the coordination room, else this
        case's; one page of ``list_limit``."""
        win = window(page, self._settings.list_limit)
        if room_id and room_id == self._cases.coordination_room:
            listed = await self.escalations.list_open(win.limit, win.offset)
            total = await self.escalations.count_open()
            title = self.view.t("esc.list.title_all")
        else:
            loaded_case = await self._cases.load_for_room(room_id)
            if loaded_case is None:
                raise self._refuse("esc.not_a_case_room", prefix=self._prefix)
            refusal = case_domain.check(case_domain.CaseAction.VIEW, loaded_case.state, member)
            if refusal is not None:
                raise Refused(self._cases.refusal_reply(refusal))
            case_id = loaded_case.row.id
            listed = await self.escalations.list_for_case(case_id, win.limit, win.offset)
            total = await self.escalations.count_for_case(case_id)
            title = self.view.t("esc.list.title_case", reference=loaded_case.row.reference)
            self._cases.note_read(loaded_case, member.matrix_id)
        self._cases.reads.note(*(Shown("escalation", item.row.reference) for item in listed))
        return self.view.overview(title, Page(tuple(self._lines(listed)), total, win))

    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """``!mijn``: escalations waiting for ``member`` — to decide, then to acknowledge
        (two indexed queries: by acknowledger and by target)."""
        user = member.matrix_id
        to_decide = await self.escalations.acknowledged_by(user)
        to_acknowledge = await self.escalations.waiting_for(user)
        lines = [
            self.view.t("esc.mine.decide", reference=row.reference, prefix=self._prefix)
            for row in to_decide
        ]
        lines += [
            self.view.t("esc.mine.ack", reference=row.reference, prefix=self._prefix)
            for row in to_acknowledge
        ]
        self._cases.reads.note(
            *(Shown("escalation", row.reference) for row in [*to_decide, *to_acknowledge])
        )
        return self.view.t("esc.mine.heading"), lines

    async def overdue_acknowledgements(self) -> list[str]:
        """Digest section: escalations whose acknowledgement timeout has passed."""
        lines = []
        for item in await self.escalations.list_waiting():
            row, frozen = item.row, frozen_level(item.level)
            due = domain.ack_deadline(frozen, row.urgent, row.level_started_at, self._calendar)
            if due <= self.now:
                hours = self._calendar.working_hours_between(row.level_started_at, self.now)
                lines.append(
                    self.view.t(
                        "esc.digest.overdue_line",
                        reference=row.reference,
                        level=row.current_level,
                        hours=f"{hours:.1f}".replace(".", ","),
                    )
                )
        return lines

    async def open_lines(self, limit: int) -> tuple[list[str], int]:
        """Digest section: open escalations oldest first (bounded) and how many more."""
        listed = await self.escalations.list_open(limit)
        return self._lines(listed), await self.escalations.count_open() - len(listed)
