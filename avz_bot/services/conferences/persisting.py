"""Persisting the events of case conferences: one small function per domain event type.

:meth:`ConferenceEvents.apply` looks each event up in one table (event type → function);
each function writes what its event means — the conference tables, the case's audit
trail (its timeline), reminder jobs and messages for the case room in the outbox — inside
the caller's transaction. Replies are not worded here (``conference_view``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.conferences import lifecycle as domain
from avz_bot.domain.conferences.lifecycle import (
    Attendance,
    ConferenceEvent,
    ConferenceState,
    Refusal,
    Transition,
)
from avz_bot.domain.conferences.papers import ReminderKind, reminder_moments
from avz_bot.domain.inbound import Reply
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.cases import CaseService, LoadedCase
from avz_bot.services.conferences.view import ConferenceView, Names
from avz_bot.services.outbox import txn_id_for
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.conferences import ConferenceSettings
from storage.conference_repositories import ENTRY_DECISION, ENTRY_ITEM, ConferenceRepository
from storage.outbox_repositories import ReactionTargetRepository
from storage.schedule_repositories import JobRepository

JOB_CONFERENCE_REMINDER = "conference.reminder"

Enqueue = Callable[[str, str, Reply], Awaitable[None]]


def reminder_job_key(conference_id: int, kind: ReminderKind) -> str:
    """The dedupe key of one of a conference's reminder jobs."""
    return f"conference:{conference_id}:{kind.value}"


_INVITATION = "conference-invitation"
#: Reactions on an invitation (✅ comes, ❌ does not) are routed to this handler kind.
REACTION_KIND = "conference"


def invitation_key(conference_id: int, sequence: int) -> str:
    """The outbox key of the invitation for one version of a conference (``notify`` kind)."""
    return f"{_INVITATION}:{conference_id}:{sequence}"


def with_reaction_targets(
    session: AsyncSession, enqueue: Enqueue, now: Callable[[], datetime]
) -> Enqueue:
    """``enqueue`` that also registers every invitation it queues as a reaction target,
    so a ✅ or ❌ on it reaches ``ConferenceService.reaction`` (see ``BotCore.reaction``)."""

    async def queue(key: str, room_id: str, reply: Reply) -> None:
        await enqueue(key, room_id, reply)
        kind, _, rest = key.partition(":")
        if kind == _INVITATION:
            conference_id = rest.split(":", 1)[0]
            await ReactionTargetRepository(session).add(
                txn_id_for("notify", key), REACTION_KIND, conference_id, room_id, now()
            )

    return queue


@dataclass
class Unit:
    """What the persisting functions of one command share: the case, the room, the
    triggering event's key and the conference (its id is set once it is stored)."""

    loaded: LoadedCase
    room_id: str
    key: str
    conference_id: int | None = None


class ConferenceEvents:
    """The persisting functions, one per event type, inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        repo: ConferenceRepository,
        *,
        settings: ConferenceSettings,
        calendar: WorkCalendar,
        view: ConferenceView,
        enqueue: Enqueue,
        names: Callable[[], Awaitable[Names]],
    ) -> None:
        self._cases = cases
        self.repo = repo
        self._jobs = JobRepository(session)
        self._settings = settings
        self._calendar = calendar
        self.view = view
        self._enqueue = enqueue
        self._names = names
        self._persisters: Mapping[type[ConferenceEvent], Callable[..., Awaitable[None]]] = {
            domain.Planned: self._on_planned,
            domain.Moved: self._on_moved,
            domain.Cancelled: self._on_cancelled,
            domain.AttendanceGiven: self._on_attendance,
            domain.ItemAdded: self._on_item,
            domain.DecisionRecorded: self._on_decision,
            domain.Closed: self._on_closed,
        }

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    async def apply(self, unit: Unit, outcome: Transition | Refusal) -> Transition:
        """Persist every event of an accepted transition; explain a refusal (raises
        ``Refused``, so the command's transaction is rolled back)."""
        if isinstance(outcome, Refusal):
            raise Refused(self.view.refusal(outcome))
        for event in outcome.events:
            await self._persisters[type(event)](unit, outcome.state, event)
        return outcome

    async def _audit(self, unit: Unit, actor: str, kind: str, **details: str | int | None) -> None:
        await self._cases.record_audit(
            unit.loaded.row, actor, f"conference.{kind}", unit.room_id, details
        )

    async def _on_planned(self, unit: Unit, state: ConferenceState, event: domain.Planned) -> None:
        year = self._calendar.local_date(self.now).year
        row = await self.repo.create(
            case_id=unit.loaded.row.id,
            year=year,
            organiser=state.organiser,
            starts_at=state.starts_at,
            duration_minutes=state.duration_minutes,
            location=state.location,
            now=self.now,
        )
        unit.conference_id = row.id
        for p in state.participants.values():
            answered = self.now if p.attendance is not Attendance.ONBEKEND else None
            await self.repo.set_participant(
                row.id, p.matrix_id, p.organisation_code, p.attendance, p.reason, answered
            )
        await self._arm_reminders(row.id, unit.loaded.row.id, state.starts_at, state.sequence)
        await self._audit(unit, event.actor, "planned", reference=row.reference)

    async def _on_moved(self, unit: Unit, state: ConferenceState, event: domain.Moved) -> None:
        assert unit.conference_id is not None
        moved = await self.repo.reschedule(
            unit.conference_id,
            state.starts_at,
            state.duration_minutes,
            state.sequence,
            event.reason,
            self.now,
        )
        if not moved:  # changed by someone else in the meantime
            raise Refused(self.view.problem("conference.changed_meanwhile"))
        await self._store_answers(unit.conference_id, state)
        await self._arm_reminders(
            unit.conference_id, unit.loaded.row.id, state.starts_at, state.sequence
        )
        names = await self._names()
        reply = self.view.moved(state, event.old_start, event.reason, names, self.now)
        await self._enqueue(invitation_key(unit.conference_id, state.sequence), unit.room_id, reply)
        await self._audit(
            unit, event.actor, "moved", reference=state.reference, reason=event.reason
        )

    async def _on_cancelled(
        self, unit: Unit, state: ConferenceState, event: domain.Cancelled
    ) -> None:
        assert unit.conference_id is not None
        done = await self.repo.finish(
            unit.conference_id, state.status, state.sequence, event.reason, self.now
        )
        if not done:
            raise Refused(self.view.problem("conference.changed_meanwhile"))
        await self._jobs.cancel_for_entity("conference", str(unit.conference_id), self.now)
        reply = self.view.cancelled(state, event.reason, await self._names(), self.now)
        await self._enqueue(invitation_key(unit.conference_id, state.sequence), unit.room_id, reply)
        await self._audit(
            unit, event.actor, "cancelled", reference=state.reference, reason=event.reason
        )

    async def _on_attendance(
        self, unit: Unit, state: ConferenceState, event: domain.AttendanceGiven
    ) -> None:
        assert unit.conference_id is not None
        p = state.participants[event.user]
        await self.repo.set_participant(
            unit.conference_id, p.matrix_id, p.organisation_code, p.attendance, p.reason, self.now
        )
        await self._audit(
            unit,
            event.actor,
            "attendance",
            reference=state.reference,
            user=event.user,
            attendance=event.attendance.value,
        )

    async def _on_item(self, unit: Unit, state: ConferenceState, event: domain.ItemAdded) -> None:
        assert unit.conference_id is not None
        await self.repo.add_entry(unit.conference_id, ENTRY_ITEM, event.text, event.actor, self.now)
        await self._audit(unit, event.actor, "item", reference=state.reference)

    async def _on_decision(
        self, unit: Unit, state: ConferenceState, event: domain.DecisionRecorded
    ) -> None:
        assert unit.conference_id is not None
        await self.repo.add_entry(
            unit.conference_id, ENTRY_DECISION, event.text, event.actor, self.now
        )
        # The decision itself goes into the timeline: minutes are corrected only by new
        # decisions, so the trail shows every version.
        await self._audit(unit, event.actor, "decision", reference=state.reference, text=event.text)

    async def _on_closed(self, unit: Unit, state: ConferenceState, event: domain.Closed) -> None:
        assert unit.conference_id is not None
        done = await self.repo.finish(
            unit.conference_id, state.status, state.sequence, None, self.now
        )
        if not done:
            raise Refused(self.view.problem("conference.changed_meanwhile"))
        await self._jobs.cancel_for_entity("conference", str(unit.conference_id), self.now)
        decisions = len(await self.repo.entries(unit.conference_id, ENTRY_DECISION))
        await self._audit(
            unit, event.actor, "closed", reference=state.reference, decisions=decisions
        )

    async def _store_answers(self, conference_id: int, state: ConferenceState) -> None:
        for p in state.participants.values():
            await self.repo.set_participant(
                conference_id, p.matrix_id, p.organisation_code, p.attendance, p.reason, None
            )

    async def _arm_reminders(
        self, conference_id: int, case_id: int, starts_at: datetime, sequence: int
    ) -> None:
        """(Re-)schedule both reminders; a reminder with no moment left is cancelled."""
        moments = dict(
            reminder_moments(
                starts_at,
                self.now,
                self._calendar,
                day_before_at=self._settings.day_before_at,
                hour_before_minutes=self._settings.hour_before_minutes,
            )
        )
        for kind in ReminderKind:
            key = reminder_job_key(conference_id, kind)
            due = moments.get(kind)
            if due is None:
                await self._jobs.cancel_key(key, self.now)
                continue
            await self._jobs.schedule(
                JOB_CONFERENCE_REMINDER,
                due,
                {
                    "conference_id": conference_id,
                    "kind": kind.value,
                    "sequence": sequence,
                    "planned_at": due.isoformat(),
                },
                self.now,
                dedupe_key=key,
                entity_type="conference",
                entity_id=str(conference_id),
            )
