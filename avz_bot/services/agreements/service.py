"""Agreements with deadlines and their reminders; general reminders
(:mod:`.reminders`) and "my plate" (:mod:`.plate`) are collaborators.

The database is the source of truth for everything scheduled: every open agreement has
exactly one pending ``agreement.reminder`` job (dedupe key ``agreement:<id>:reminder``)
holding its next reminder; every pending ``!herinner`` has one ``reminder.general`` job.
The scheduler runs a due job once (atomic claim); the handler queues the message in the
outbox with a transaction id derived from the agreement and the planned moment (so even
a re-run cannot post twice) and re-arms the job for the next reminder, all in one
transaction. A reminder that fell due while the bot was down goes out after start-up,
marked late; several missed ones collapse into one (the most urgent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import agreements as rules
from avz_bot.domain.agreements import AgreementAction
from avz_bot.domain.agreements.reminders import (
    PlannedReminder,
    ReminderKind,
    ReminderPolicy,
    due_reminder,
    next_reminder,
)
from avz_bot.domain.agreements.status import AgreementStatus
from avz_bot.domain.cases import Refusal
from avz_bot.domain.cases.state import CaseStatus
from avz_bot.domain.dates import ParsedWhen, WhenError, parse_when
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import mentioning, text
from avz_bot.lists import Page, beyond_reply, page_listing
from avz_bot.messages import Messages
from avz_bot.services.agreements.plate import AreaPlate, MyPlate
from avz_bot.services.agreements.reminders import GeneralReminders
from avz_bot.services.cases import CaseService, LoadedCase
from avz_bot.services.refusal import Refused
from storage.agreement_repositories import AgreementRepository, AgreementRow
from storage.case_repositories import CaseRepository
from storage.conference_repositories import ConferenceRepository
from storage.list_repositories import ListRepository
from storage.schedule_repositories import JobRepository, JobRow

JOB_AGREEMENT_REMINDER = "agreement.reminder"
#: Longest date expression tried at the start of ``!herinner`` / ``!actie uitstel``.
MAX_WHEN_WORDS = 6


def agreement_job_key(agreement_id: int) -> str:
    """The dedupe key of an agreement's one pending reminder job."""
    return f"agreement:{agreement_id}:reminder"


@dataclass(frozen=True)
class Owner:
    """Who an agreement is for: a person, or an organisation in the case."""

    user: str | None
    org: str | None


class AgreementService:
    """Agreement operations inside one transaction; general reminders and ``!mijn``
    through collaborators (``reminders``, ``plate``)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        *,
        calendar: WorkCalendar,
        policy: ReminderPolicy,
        messages: Messages,
        prefix: str,
        late_after: timedelta,
        plate: AreaPlate | None = None,
    ) -> None:
        self._session = session
        self._cases = cases
        self._calendar = calendar
        self._policy = policy
        self._messages = messages
        self._prefix = prefix
        self.agreements = AgreementRepository(session)
        self._jobs = JobRepository(session)
        #: ``!herinner`` and its kin (collaborator).
        self.reminders = GeneralReminders(
            session,
            cases,
            messages=messages,
            prefix=prefix,
            late_after=late_after,
            split_when=self.split_when,
        )
        #: ``!mijn`` (collaborator); ``plate`` gives the other areas' sections.
        self.plate = MyPlate(
            session, cases, messages=messages, prefix=prefix, line=self._line, plate=plate
        )

    # ------------------------------------------------------------ helpers
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

    def parse(self, expression: str) -> ParsedWhen:
        """A Dutch date expression, or a refusal with examples."""
        result = parse_when(expression, self.now, self._calendar)
        if isinstance(result, WhenError):
            self._refuse_leftover(expression)
            raise Refused(
                text(
                    self.t(f"dates.error.{result.code.value.lower()}", value=expression.strip())
                    + " "
                    + self.t("dates.examples")
                )
            )
        return result

    def _refuse_leftover(self, expression: str) -> None:
        """A date followed by other words ("vrijdag 14:00 de huisarts": an option's value
        runs to the next option): ask which was meant instead of guessing."""
        parts = expression.split()
        for size in range(min(MAX_WHEN_WORDS, len(parts) - 1), 0, -1):
            lead = " ".join(parts[:size])
            found = parse_when(lead, self.now, self._calendar)
            if isinstance(found, ParsedWhen):
                raise Refused(
                    text(
                        self.t(
                            "dates.leftover",
                            date=lead,
                            when=self.when(found.instant),
                            rest=" ".join(parts[size:]),
                        )
                    )
                )

    def split_when(self, words: str) -> tuple[ParsedWhen, str]:
        """The longest leading date expression of ``words`` and the rest (the text)."""
        parts = words.split()
        for size in range(min(MAX_WHEN_WORDS, len(parts)), 0, -1):
            result = parse_when(" ".join(parts[:size]), self.now, self._calendar)
            if isinstance(result, ParsedWhen):
                return result, " ".join(parts[size:])
        return self.parse(" ".join(parts[:2]) or words), ""

    async def _owner_name(self, row: AgreementRow) -> str:
        if row.owner_user:
            return await self._cases.name(row.owner_user)
        return await self._cases.org_name(row.owner_org)

    def _deadline_note(self, parsed: ParsedWhen) -> str:
        return "" if parsed.has_time else " " + self.t("agreement.end_of_day")

    async def _audit(
        self, loaded: LoadedCase, actor: str, action: str, details: dict[str, Any]
    ) -> None:
        await self._cases.record_audit(
            loaded.row, actor, f"agreement.{action}", loaded.row.room_id, details
        )

    async def _arm(
        self, row: AgreementRow, case_id: int, after: datetime
    ) -> PlannedReminder | None:
        """Schedule the agreement's next reminder (or none, when the schedule has ended)."""
        planned = next_reminder(row.deadline, after, self._policy, self._calendar)
        key = agreement_job_key(row.id)
        if planned is None:
            await self._jobs.cancel_key(key, self.now)
            return None
        await self._jobs.schedule(
            JOB_AGREEMENT_REMINDER,
            planned.due_at,
            {"agreement_id": row.id, "planned_at": planned.due_at.isoformat()},
            self.now,
            dedupe_key=key,
            entity_type="case",
            entity_id=str(case_id),
        )
        return planned

    # ------------------------------------------------------------ commands
    async def create(
        self, member: Member, loaded: LoadedCase, owner: str, description: str, deadline: str
    ) -> Reply:
        """``!actie <@gebruiker|organisatie> <omschrijving> deadline=<wanneer>``."""
        self._allow(rules.check(AgreementAction.CREATE, member, case=loaded.state))
        resolved = self._resolve_owner(loaded, owner)
        parsed = self.parse(deadline)
        row = await self.agreements.create(
            case_id=loaded.row.id,
            description=description.strip(),
            owner_user=resolved.user,
            owner_org=resolved.org,
            created_by=member.matrix_id,
            deadline=parsed.instant,
            now=self.now,
        )
        await self._arm(row, loaded.row.id, self.now)
        # Made during a running case conference: linked, for that conference's minutes.
        await ConferenceRepository(self._session).link_if_running(loaded.row.id, row.id, self.now)
        await self._audit(
            loaded,
            member.matrix_id,
            "created",
            {"number": row.number, "owner": resolved.user or resolved.org},
        )
        return text(
            self.t(
                "agreement.created",
                number=row.number,
                description=row.description,
                owner=await self._owner_name(row),
                deadline=self.when(row.deadline) + self._deadline_note(parsed),
            )
        )

    def _resolve_owner(self, loaded: LoadedCase, owner: str) -> Owner:
        value = owner.strip()
        members = loaded.state.members
        if value.startswith("@"):
            if value not in members:
                raise Refused(text(self.t("agreement.owner_unknown", value=value)))
            return Owner(value, members[value].organisation_code)
        code = value.lower()
        if any(m.organisation_code == code for m in members.values()):
            return Owner(None, code)
        raise Refused(text(self.t("agreement.owner_unknown", value=value)))

    async def list_open(self, member: Member, loaded: LoadedCase, page: int = 1) -> Reply:
        """``!acties [pagina=]``: open agreements, earliest deadline (overdue) first; one
        page of ``[limits] list_items``."""
        self._allow(rules.check(AgreementAction.VIEW, member, case=loaded.state))
        cases = self._cases
        cases.note_read(loaded, member.matrix_id)
        win = cases.window(page)
        rows, total = await ListRepository(self._session).open_agreements_of_case(
            loaded.row.id, cases.slice(win)
        )
        if not total:
            return text(self.t("agreement.none", reference=loaded.row.reference))
        shown = Page(tuple([await self._line(row) for row in rows]), total, win)
        if shown.beyond:
            return beyond_reply(self, f"{self._prefix}acties", shown)
        return page_listing(
            self.t("agreement.list.title", reference=loaded.row.reference),
            shown,
            cases.more_line("acties"),
            cases.budget,
        )

    async def _line(self, row: AgreementRow, reference: str | None = None) -> str:
        overdue = self.t("agreement.overdue") if row.deadline < self.now else ""
        return self.t(
            "agreement.line",
            number=row.number,
            reference=f"{reference} " if reference else "",
            description=row.description,
            owner=await self._owner_name(row),
            deadline=self.when(row.deadline),
            overdue=overdue,
        )

    async def open_items(self, case_id: int) -> int:
        """How many agreements of the case are open (for the case card)."""
        return await ListRepository(self._session).count_open_agreements(case_id)

    def _allow(self, refusal: Refusal | None) -> None:
        """Raise the Dutch explanation of a refusal of the permission table, if any."""
        if refusal is not None:
            raise Refused(self._cases.refusal_reply(refusal))

    async def _open_agreement(
        self, action: AgreementAction, member: Member, loaded: LoadedCase, number: int
    ) -> AgreementRow:
        """Open agreement ``number`` of the case, if ``member`` may take ``action`` on it.

        The case's gate comes before the look-up, so a non-member learns nothing about
        the case (not even whether #number exists); then the table, with the owner.
        """
        self._allow(rules.check_case(action, loaded.state, member))
        row = await self.agreements.by_number(loaded.row.id, number)
        if row is None or row.status != AgreementStatus.OPEN:
            raise Refused(text(self.t("agreement.not_found", number=number)))
        ownership = rules.Ownership(row.owner_user, row.owner_org)
        self._allow(rules.check(action, member, case=loaded.state, agreement=ownership))
        return row

    async def finish(self, member: Member, loaded: LoadedCase, number: int, note: str) -> Reply:
        """``!actie klaar <nr> [toelichting]``."""
        row = await self._open_agreement(AgreementAction.FINISH, member, loaded, number)
        await self.agreements.change_status(
            row.id, AgreementStatus.OPEN, AgreementStatus.KLAAR, self.now, note=note or None
        )
        await self._jobs.cancel_key(agreement_job_key(row.id), self.now)
        await self._audit(loaded, member.matrix_id, "done", {"number": number})
        return text(self.t("agreement.done", number=number, description=row.description))

    async def lapse(self, member: Member, loaded: LoadedCase, number: int, reason: str) -> Reply:
        """``!actie vervalt <nr> reden=…``."""
        row = await self._open_agreement(AgreementAction.LAPSE, member, loaded, number)
        await self.agreements.change_status(
            row.id, AgreementStatus.OPEN, AgreementStatus.VERVALLEN, self.now, note=reason
        )
        await self._jobs.cancel_key(agreement_job_key(row.id), self.now)
        await self._audit(loaded, member.matrix_id, "lapsed", {"number": number, "reason": reason})
        return text(self.t("agreement.lapsed", number=number, reason=reason))

    async def postpone(
        self, member: Member, loaded: LoadedCase, number: int, when: str, reason: str
    ) -> Reply:
        """``!actie uitstel <nr> <wanneer> reden=…``: every postponement is kept."""
        row = await self._open_agreement(AgreementAction.POSTPONE, member, loaded, number)
        parsed = self.parse(when)
        await self.agreements.postpone(row.id, parsed.instant, reason, member.matrix_id, self.now)
        fresh = await self.agreements.get(row.id)
        assert fresh is not None
        await self._arm(fresh, loaded.row.id, self.now)
        await self._audit(
            loaded,
            member.matrix_id,
            "postponed",
            {"number": number, "reason": reason, "new_deadline": parsed.instant.isoformat()},
        )
        return text(
            self.t(
                "agreement.postponed",
                number=number,
                old=self.when(row.deadline),
                new=self.when(parsed.instant) + self._deadline_note(parsed),
                reason=reason,
            )
        )

    # ------------------------------------------------------------ general reminders
    async def remind(self, member: Member, room_id: str, words: str, for_room: bool) -> Reply:
        """``!herinner`` (see :meth:`GeneralReminders.remind`)."""
        return await self.reminders.remind(member, room_id, words, for_room)

    async def list_reminders(self, room_id: str, page: int = 1) -> Reply:
        """``!herinneringen`` (see :meth:`GeneralReminders.list_reminders`)."""
        return await self.reminders.list_reminders(room_id, page)

    async def cancel_reminder(self, member: Member, room_id: str, number: int) -> Reply:
        """``!herinnering annuleer`` (see :meth:`GeneralReminders.cancel_reminder`)."""
        return await self.reminders.cancel_reminder(member, room_id, number)

    async def deliver_general_reminder(self, job: JobRow, enqueue: Any) -> None:
        """A ``!herinner`` job (see :meth:`GeneralReminders.deliver`)."""
        await self.reminders.deliver(job, enqueue)

    # ------------------------------------------------------------ my plate
    async def my_plate(self, member: Member, page: int = 1) -> Reply:
        """``!mijn`` (see :meth:`MyPlate.show`)."""
        return await self.plate.show(member, page)

    # ------------------------------------------------------------ job handlers
    async def deliver_agreement_reminder(self, job: JobRow, enqueue: Any) -> None:
        """Send the agreement's due reminder (once) and arm the next one."""
        row = await self.agreements.get(int(job.payload["agreement_id"]))
        if row is None or row.status != AgreementStatus.OPEN:
            return
        case = await CaseRepository(self._session).get(row.case_id)
        if case is None or case.status == CaseStatus.GESLOTEN or case.room_id is None:
            return
        planned_at = datetime.fromisoformat(str(job.payload["planned_at"]))
        if not self._calendar.is_office_time(self.now):
            # Late (the bot was down) and now outside office hours: wait for the morning.
            await self._jobs.schedule(
                JOB_AGREEMENT_REMINDER,
                self._calendar.next_office_moment(self.now),
                dict(job.payload),
                self.now,
                dedupe_key=agreement_job_key(row.id),
                entity_type="case",
                entity_id=str(case.id),
            )
            return
        reminder = due_reminder(row.deadline, planned_at, self.now, self._policy, self._calendar)
        if reminder is not None:
            await self._send_agreement_reminder(row, case, reminder, planned_at, enqueue)
        await self._arm(row, case.id, max(self.now, planned_at))

    async def _send_agreement_reminder(
        self,
        row: AgreementRow,
        case: Any,
        reminder: PlannedReminder,
        planned_at: datetime,
        enqueue: Any,
    ) -> None:
        names = self._cases.name
        owners: list[tuple[str, str]] = []
        if row.owner_user:
            owners.append((row.owner_user, await names(row.owner_user)))
        else:
            for m in await CaseRepository(self._session).list_members(case.id):
                if m.organisation_code == row.owner_org:
                    owners.append((m.matrix_id, await names(m.matrix_id)))
        values = {
            "number": row.number,
            "reference": case.reference,
            "description": row.description,
            "deadline": self.when(row.deadline),
            "days": reminder.overdue_working_days,
        }
        message = self.t(f"reminder.{reminder.kind.value}", **values)
        recipients = list(owners)
        holder = case.regie_holder
        if reminder.kind in {ReminderKind.OVERDUE_REGIE, ReminderKind.OVERDUE_COORDINATION}:
            if holder and holder not in {u for u, _ in recipients}:
                recipients.append((holder, await names(holder)))
            if not holder:
                message += " " + self.t("reminder.no_regie")
        message += self.reminders.late_note(planned_at)
        key = f"{row.id}:{planned_at.isoformat()}"
        await enqueue(f"agreement:{key}", case.room_id, mentioning(recipients, message))
        coordination = self._cases.coordination_room
        if reminder.kind is ReminderKind.OVERDUE_COORDINATION and coordination:
            note = self.t(
                "reminder.coordination",
                owner=await self._owner_name(row),
                holder=await names(holder) if holder else self.t("list.none"),
                municipality=self._cases.municipality_name(case.municipality),
                **values,
            )
            await enqueue(f"agreement-coord:{key}", coordination, text(note))
