"""General reminders: ``!herinner``, ``!herinneringen``, ``!herinnering annuleer`` and
their delivery (one ``reminder.general`` job per pending reminder, see
:mod:`avz_bot.services.agreements.service`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import agreements as rules
from avz_bot.domain.agreements import AgreementAction
from avz_bot.domain.dates import ParsedWhen
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.formatting import mentioning, text
from avz_bot.lists import Page, beyond_reply, page_listing
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseService
from avz_bot.services.refusal import Refused
from storage.list_repositories import ListRepository
from storage.schedule_repositories import JobRepository, JobRow, ReminderRepository

JOB_GENERAL_REMINDER = "reminder.general"


class GeneralReminders:
    """``!herinner`` reminders inside one transaction (a collaborator of the agreements
    service, which words the date expressions: ``split_when``)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        *,
        messages: Messages,
        prefix: str,
        late_after: timedelta,
        split_when: Callable[[str], tuple[ParsedWhen, str]],
    ) -> None:
        self._session = session
        self._cases = cases
        self._messages = messages
        self._prefix = prefix
        self._late_after = late_after
        self._split_when = split_when
        self._jobs = JobRepository(session)
        self._reminders = ReminderRepository(session)

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    def when(self, instant: datetime) -> str:
        """An instant as people here read it (see ``CaseService.when``)."""
        return self._cases.when(instant)

    async def remind(self, member: Member, room_id: str, words: str, for_room: bool) -> Reply:
        """``!herinner <wanneer> <tekst>``: for the sender (mentioned) or the whole room."""
        parsed, message = self._split_when(words)
        if not message.strip():
            raise Refused(text(self.t("reminder.text_missing") + " " + self.t("dates.examples")))
        row = await self._reminders.create(
            room_id=room_id,
            created_by=member.matrix_id,
            target_user=None if for_room else member.matrix_id,
            text=message.strip(),
            due_at=parsed.instant,
            now=self.now,
        )
        await self._jobs.schedule(
            JOB_GENERAL_REMINDER,
            parsed.instant,
            {"reminder_id": row.id},
            self.now,
            dedupe_key=f"reminder:{row.id}",
            entity_type="reminder",
            entity_id=str(row.id),
        )
        who = self.t("reminder.for_room") if for_room else self.t("reminder.for_you")
        return text(
            self.t("reminder.created", number=row.number, when=self.when(row.due_at), who=who)
        )

    async def list_reminders(self, room_id: str, page: int = 1) -> Reply:
        """``!herinneringen [pagina=]``: the room's pending reminders, soonest first."""
        cases = self._cases
        win = cases.window(page)
        rows, total = await ListRepository(self._session).pending_reminders(
            room_id, cases.slice(win)
        )
        if not total:
            return text(self.t("reminder.none"))
        items = [
            self.t(
                "reminder.line",
                number=r.number,
                when=self.when(r.due_at),
                who=await self._cases.name(r.created_by),
                text=r.text,
            )
            for r in rows
        ]
        shown = Page(tuple(items), total, win)
        if shown.beyond:
            return beyond_reply(self, f"{self._prefix}herinneringen", shown)
        return page_listing(
            self.t("reminder.list.title"),
            shown,
            cases.more_line("herinneringen"),
            cases.budget,
        )

    async def cancel_reminder(self, member: Member, room_id: str, number: int) -> Reply:
        """``!herinnering annuleer <nr>``: only who set it may cancel it."""
        row = await self._reminders.by_number(room_id, number)
        if row is None or not row.pending:
            raise Refused(text(self.t("reminder.not_found", number=number)))
        refusal = rules.check(AgreementAction.REMINDER_CANCEL, member, reminder_by=row.created_by)
        if refusal is not None:  # the one refusal of this action, worded for reminders
            raise Refused(text(self.t("reminder.not_yours", number=number)))
        await self._reminders.cancel(row.id, self.now)
        await self._jobs.cancel_key(f"reminder:{row.id}", self.now)
        return text(self.t("reminder.cancelled", number=number))

    def late_note(self, planned: datetime) -> str:
        """A note for a reminder sent later than ``late_after`` after its moment."""
        if self.now - planned > self._late_after:
            return " " + self.t("reminder.late", planned=self.when(planned))
        return ""

    async def deliver(self, job: JobRow, enqueue: Any) -> None:
        """Send a ``!herinner`` reminder once."""
        row = await self._reminders.get(int(job.payload["reminder_id"]))
        if row is None or not await self._reminders.mark_sent(row.id, self.now):
            return  # cancelled meanwhile, or already sent
        message = self.t("reminder.fire", text=row.text) + self.late_note(row.due_at)
        users = (
            [(row.target_user, await self._cases.name(row.target_user))] if row.target_user else []
        )
        await enqueue(f"reminder:{row.id}", row.room_id, mentioning(users, message))
