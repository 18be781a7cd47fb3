"""Case conferences (casusoverleg): one unit of work per command or job.

Every public method runs inside the caller's transaction: it loads the case and the
conference, lets the pure domain (``avz_bot.domain.conferences.lifecycle``) decide, persists the
resulting events with one small function per event type (``conference_events``: the
conference tables, the case timeline/audit trail, reminder jobs and messages for the case
room in the outbox), and returns a reply rendered by ``conference_view``.

Reminders are durable jobs (``conference.reminder``) on the one scheduler, one per
conference and kind (dedupe key ``conference:<id>:<kind>``): moving a conference re-arms
them, cancelling or closing cancels them. A job carries the conference's SEQUENCE, so a
job armed for an earlier time never reminds of a moved conference.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.conferences import lifecycle as domain
from avz_bot.domain.conferences.lifecycle import (
    Attendance,
    ConferenceState,
    ConferenceStatus,
    Participant,
    Refusal,
)
from avz_bot.domain.conferences.papers import (
    ReminderKind,
    assemble_minutes,
)
from avz_bot.domain.conferences.permissions import ConferenceAction
from avz_bot.domain.conferences.permissions import check as check_permission
from avz_bot.domain.dates import ParsedWhen
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import text
from avz_bot.lists import Page, window
from avz_bot.services.access_log import Shown
from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.cases import CaseService, LoadedCase
from avz_bot.services.conferences.overviews import ConferenceOverviews
from avz_bot.services.conferences.papers import ConferencePapers
from avz_bot.services.conferences.persisting import (
    JOB_CONFERENCE_REMINDER,
    ConferenceEvents,
    Enqueue,
    Unit,
    invitation_key,
    reminder_job_key,
    with_reaction_targets,
)
from avz_bot.services.conferences.view import ConferenceView, Names
from avz_bot.services.outbox import txn_id_for
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.conferences import ConferenceSettings
from storage.case_repositories import CaseRepository
from storage.conference_repositories import (
    ENTRY_DECISION,
    ENTRY_ITEM,
    ConferenceRepository,
    ConferenceRow,
    format_reference,
)
from storage.outbox_repositories import OutboxRepository
from storage.schedule_repositories import JobRepository, JobRow

#: At most this many planned conferences of a case are looked at for a reaction.
REACTION_SCAN = 20


class ConferenceService:
    """Conference operations inside one transaction; the papers (agenda, minutes' facts)
    and the overviews for other areas (``!mijn``, digest) through collaborators."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        agreements: AgreementService,
        *,
        settings: ConferenceSettings,
        calendar: WorkCalendar,
        view: ConferenceView,
        enqueue: Enqueue,
    ) -> None:
        self._session = session
        self._cases = cases
        self._agreements = agreements
        self._settings = settings
        self._calendar = calendar
        self.view = view
        enqueue = with_reaction_targets(session, enqueue, lambda: self.now)
        self._enqueue = enqueue
        self.repo = ConferenceRepository(session)
        self._jobs = JobRepository(session)
        self._events = ConferenceEvents(
            session,
            cases,
            self.repo,
            settings=settings,
            calendar=calendar,
            view=view,
            enqueue=enqueue,
            names=self._names,
        )
        #: The agenda and the minutes' facts (collaborator).
        self._papers = ConferencePapers(
            session, cases, self.repo, settings=settings, view=view, names=self._names
        )
        #: ``!mijn`` and the daily digest (collaborator).
        self.overviews = ConferenceOverviews(
            cases, self.repo, settings=settings, calendar=calendar, view=view
        )

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    # ------------------------------------------------------------ loading
    async def _names(self) -> Names:
        directory = await self._cases.directory()
        return Names(
            {m.matrix_id: m.display_name for m in directory.values()},
            {m.organisation.code: m.organisation.name for m in directory.values()},
        )

    async def _state(self, row: ConferenceRow, case_reference: str) -> ConferenceState:
        people = {
            p.matrix_id: Participant(
                p.matrix_id, p.organisation_code, Attendance(p.attendance), p.reason
            )
            for p in await self.repo.participants(row.id)
        }
        return replace(_bare(row, case_reference), participants=people)

    async def _find(
        self, loaded: LoadedCase, reference: str
    ) -> tuple[ConferenceRow, ConferenceState]:
        row = await self.repo.by_reference(loaded.row.id, reference)
        if row is None:
            raise Refused(self.view.problem("conference.not_found", reference=reference.strip()))
        return row, await self._state(row, loaded.row.reference)

    async def _running(self, loaded: LoadedCase) -> tuple[ConferenceRow, ConferenceState]:
        row = await self.repo.running(loaded.row.id, self.now)
        if row is None:
            raise Refused(self.view.problem("conference.none_running"))
        return row, await self._state(row, loaded.row.reference)

    def _parse(self, when: str) -> ParsedWhen:
        return self._agreements.parse(when)

    # ------------------------------------------------------------ commands
    async def _participants(self, loaded: LoadedCase, spec: str) -> list[str] | None:
        """``deelnemers=org,@user,…``: an organisation means its members in the case."""
        if not spec.strip():
            return None
        chosen: list[str] = []
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            if part.startswith("@"):
                chosen.append(part)
                continue
            code = part.lower()
            matches = [u for u, m in loaded.state.members.items() if m.organisation_code == code]
            if not matches:
                raise Refused(self.view.problem("conference.unknown_participant", value=part))
            chosen.extend(matches)
        return chosen

    async def plan(
        self,
        member: Member,
        room_id: str,
        when: str,
        duration: int | None,
        location: str,
        participants: str,
        key: str,
    ) -> Reply:
        """``!overleg plan``: store it, arm its reminders, post the invitation with ``.ics``."""
        loaded = await self._cases.require_case(room_id)
        parsed = self._parse(when)
        outcome = domain.plan(
            loaded.state,
            member,
            # The number is handed out when it is stored (the first persisting step).
            reference=format_reference(self._calendar.local_date(self.now).year, 0),
            starts_at=parsed.instant,
            has_time=parsed.has_time,
            duration_minutes=duration or self._settings.default_duration_minutes,
            location=location,
            participants=await self._participants(loaded, participants),
            now=self.now,
        )
        unit = Unit(loaded, room_id, key)
        done = await self._events.apply(unit, outcome)
        assert unit.conference_id is not None
        row = await self.repo.get(unit.conference_id)
        assert row is not None
        state = replace(done.state, reference=row.reference)
        invitation = self.view.invitation(state, await self._names(), self.now)
        await self._enqueue(invitation_key(row.id, 0), room_id, invitation)
        return self.view.planned_ack(state)

    async def move(
        self, member: Member, room_id: str, reference: str, when: str, reason: str, key: str
    ) -> Reply:
        """``!overleg verzetten``: same UID, SEQUENCE + 1, reminders re-armed."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._find(loaded, reference)
        parsed = self._parse(when)
        outcome = domain.move(
            state,
            loaded.state,
            member,
            starts_at=parsed.instant,
            has_time=parsed.has_time,
            reason=reason,
            now=self.now,
        )
        done = await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
        return text(self.view.t("conference.moved_ack", reference=done.state.reference))

    async def cancel(
        self, member: Member, room_id: str, reference: str, reason: str, key: str
    ) -> Reply:
        """``!overleg annuleren``: the cancelling ``.ics`` goes to the room."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._find(loaded, reference)
        outcome = domain.cancel(state, loaded.state, member, reason, self.now)
        done = await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
        return text(self.view.t("conference.cancelled_ack", reference=done.state.reference))

    async def answer(
        self, member: Member, room_id: str, reference: str, comes: bool, reason: str, key: str
    ) -> Reply:
        """``!overleg kom`` / ``!overleg afmelden``."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._find(loaded, reference)
        outcome = domain.answer(state, loaded.state, member, comes, reason, self.now)
        done = await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
        return self.view.answered(done.state, comes, await self._names())

    async def reaction(
        self, room_id: str, sender: str, reacted_event_id: str, comes: bool, key: str
    ) -> Reply | None:
        """A ✅ (``comes``) or ❌ reaction on an invitation in a case room.

        For the general reaction mechanism: call it inside that event's unit of work
        with the reaction's sender and the event it reacts to. Returns the reply to
        post, or None when the reaction is not about an invitation, or comes from
        someone who was not invited (reactions count only from participants).
        """
        loaded = await self._cases.load_for_room(room_id)
        member = (await self._cases.directory()).get(sender)
        if loaded is None or member is None:
            return None
        outbox = OutboxRepository(self._session)
        rows, _ = await self.repo.for_case(loaded.row.id, planned=True, limit=REACTION_SCAN)
        for row in rows:
            sent = await outbox.get(txn_id_for("notify", invitation_key(row.id, row.sequence)))
            if sent is None or sent.remote_event_id != reacted_event_id:
                continue
            state = await self._state(row, loaded.row.reference)
            reason = "" if comes else self.view.t("conference.reaction_reason")
            outcome = domain.answer(state, loaded.state, member, comes, reason, self.now)
            if isinstance(outcome, Refusal):
                return None
            done = await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
            return self.view.answered(done.state, comes, await self._names())
        return None

    async def add_item(
        self, member: Member, room_id: str, reference: str, item: str, key: str
    ) -> Reply:
        """``!overleg punt``."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._find(loaded, reference)
        outcome = domain.add_item(state, loaded.state, member, item, self.now)
        await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
        return self.view.item_added(state, len(await self.repo.entries(row.id, ENTRY_ITEM)))

    async def decide(self, member: Member, room_id: str, decision: str, key: str) -> Reply:
        """``!overleg besluit``: on the conference that is running now."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._running(loaded)
        outcome = domain.decide(state, loaded.state, member, decision, self.now)
        await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
        return self.view.decision_recorded(
            state, len(await self.repo.entries(row.id, ENTRY_DECISION))
        )

    async def correct_attendance(
        self, member: Member, room_id: str, users: list[str], key: str
    ) -> Reply:
        """``!overleg aanwezig @…``: exactly these were there."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._running(loaded)
        outcome = domain.correct_attendance(state, loaded.state, member, users, self.now)
        done = await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
        return self.view.attendance_corrected(done.state, await self._names())

    async def close(self, member: Member, room_id: str, next_when: str, key: str) -> Reply:
        """``!overleg afronden [volgende=…]``: the minutes (and the file), and with
        ``volgende=`` the next conference, planned like ``!overleg plan`` with the same
        participants, duration and place."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._running(loaded)
        next_parsed = self._parse(next_when) if next_when.strip() else None
        outcome = domain.close(state, loaded.state, member, self.now)
        done = await self._events.apply(Unit(loaded, room_id, key, row.id), outcome)
        self._note(loaded, member, row.reference)  # the reply holds the minutes
        next_at = None
        if next_parsed is not None:
            planned = domain.plan(
                loaded.state,
                member,
                reference=format_reference(self._calendar.local_date(self.now).year, 0),
                starts_at=next_parsed.instant,
                has_time=next_parsed.has_time,
                duration_minutes=state.duration_minutes,
                location=state.location,
                participants=list(state.participants),
                now=self.now,
            )
            unit = Unit(loaded, room_id, f"{key}:next")
            following = await self._events.apply(unit, planned)
            assert unit.conference_id is not None
            next_row = await self.repo.get(unit.conference_id)
            assert next_row is not None
            next_state = replace(following.state, reference=next_row.reference)
            invitation = self.view.invitation(next_state, await self._names(), self.now)
            await self._enqueue(invitation_key(next_row.id, 0), room_id, invitation)
            next_at = next_state.starts_at
        minutes = assemble_minutes(
            done.state,
            decisions=await self._papers.entries(row.id, ENTRY_DECISION),
            linked=await self._papers.facts(
                loaded, only=await self.repo.linked_agreement_numbers(row.id)
            ),
            agreements=await self._papers.facts(loaded),
            next_at=next_at,
        )
        return self.view.minutes(minutes, await self._names())

    async def agenda(self, member: Member, room_id: str, reference: str) -> Reply:
        """``!overleg agenda``."""
        loaded = await self._cases.require_case(room_id)
        row, state = await self._find(loaded, reference)
        refusal = check_permission(ConferenceAction.VIEW, loaded.state, member, state, self.now)
        if refusal is not None:
            raise Refused(self.view.refusal(refusal))
        self._note(loaded, member, row.reference)
        return await self._papers.agenda_reply(loaded, row, state)

    async def overview(self, member: Member, room_id: str, page: int = 1) -> Reply:
        """``!overleggen [pagina=]``: planned (soonest first) and earlier ones (latest
        first); each one page of ``list_limit``."""
        loaded = await self._cases.require_case(room_id)
        refusal = check_permission(ConferenceAction.VIEW, loaded.state, member, None, self.now)
        if refusal is not None:
            raise Refused(self.view.refusal(refusal))
        self._note(loaded, member)
        win = window(page, self._settings.list_limit)
        case_id, reference = loaded.row.id, loaded.row.reference
        lists = []
        for planned in (True, False):
            rows, total = await self.repo.for_case(
                case_id, planned=planned, limit=win.limit, offset=win.offset
            )
            # No participants needed for a line: states without them (no per-row queries).
            lists.append(Page(tuple(_bare(r, reference) for r in rows), total, win))
        upcoming, past = lists
        return self.view.overview(
            reference, upcoming, past, self._cases.more_line("overleggen"), self._cases.budget
        )

    def _note(self, loaded: LoadedCase, member: Member, conference: str | None = None) -> None:
        """The access log: the reply shows the case's (and a conference's) data."""
        self._cases.note_read(loaded, member.matrix_id)
        if conference is not None:
            self._cases.reads.note(Shown("conference", conference))

    # ------------------------------------------------------------ jobs
    async def deliver_reminder(self, job: JobRow) -> None:
        """Send a due reminder once (the first one with the agenda)."""
        row = await self.repo.get(int(job.payload["conference_id"]))
        if row is None or row.status != ConferenceStatus.GEPLAND:
            return
        if int(job.payload["sequence"]) != row.sequence or row.starts_at <= self.now:
            return  # moved since, or too late to be of use
        kind = ReminderKind(str(job.payload["kind"]))
        if not self._calendar.is_office_time(self.now):
            later = self._calendar.next_office_moment(self.now)
            if later < row.starts_at:
                await self._jobs.schedule(
                    JOB_CONFERENCE_REMINDER,
                    later,
                    dict(job.payload),
                    self.now,
                    dedupe_key=reminder_job_key(row.id, kind),
                    entity_type="conference",
                    entity_id=str(row.id),
                )
            return
        case = await CaseRepository(self._session).get(row.case_id)
        if case is None or case.room_id is None:
            return
        loaded = await self._cases.load_for_room(case.room_id)
        if loaded is None or loaded.state.is_closed or loaded.row.room_id is None:
            return
        room = loaded.row.room_id
        state = await self._state(row, loaded.row.reference)
        planned_at = datetime.fromisoformat(str(job.payload["planned_at"]))
        late = self.now - planned_at > timedelta(minutes=5)
        reminder = self.view.reminder(state, kind, await self._names(), late)
        base = f"conference:{row.id}:{row.sequence}:{kind.value}"
        await self._enqueue(base, room, reminder)
        if kind is ReminderKind.DAY_BEFORE:
            await self._enqueue(
                f"{base}:agenda", room, await self._papers.agenda_reply(loaded, row, state)
            )

    # ------------------------------------------------------------ hooks for other areas
    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """``!mijn`` (see :meth:`ConferenceOverviews.plate_section`)."""
        return await self.overviews.plate_section(member)

    async def digest_today(self) -> list[str]:
        """The daily digest's lines (see :meth:`ConferenceOverviews.digest_today`)."""
        return await self.overviews.digest_today()

    async def digest_section(self, day: date) -> list[tuple[str, list[str]]]:
        """The daily digest (see :meth:`ConferenceOverviews.digest_section`)."""
        return await self.overviews.digest_section(day)


def _bare(row: ConferenceRow, case_reference: str) -> ConferenceState:
    """A conference's state from its row, without its participants."""
    return ConferenceState(
        reference=row.reference,
        case_reference=case_reference,
        status=ConferenceStatus(row.status),
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        location=row.location,
        organiser=row.organiser,
        participants={},
        sequence=row.sequence,
    )
