"""Persisting escalation events: one small function per domain event type.

:meth:`EscalationEvents.apply` looks each event up in one table (event type → function);
each function writes the escalation row and its level times, the audit trail (the case's
timeline), pings and direct messages for that one event, and returns the line for the
reply (or ``""``); then the clocks are re-armed. Replies are worded in
:mod:`avz_bot.services.escalations.view`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as case_domain
from avz_bot.domain import escalations as domain
from avz_bot.domain.escalations import (
    ClockStage,
    EscalationEvent,
    EscalationStatus,
    FrozenLevel,
    Refusal,
    Transition,
)
from avz_bot.domain.inbound import Reply
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import paragraphs, text
from avz_bot.services.area import SendDirect
from avz_bot.services.cases import CaseService
from avz_bot.services.escalations.base import (
    JOB_ESCALATION_CLOCK,
    REACTION_KIND,
    Enqueue,
    Loaded,
)
from avz_bot.services.escalations.view import Context, EscalationView
from avz_bot.services.refusal import Refused
from storage.escalation_repositories import EscalationRepository
from storage.outbox_repositories import ReactionTargetRepository
from storage.schedule_repositories import JobRepository

#: Clock stages share two job rows per escalation: the first (reminder) and second step.
_STAGE_SLOT = {
    ClockStage.ACK_REMINDER: 1,
    ClockStage.DECISION_REMINDER: 1,
    ClockStage.ACK_ESCALATE: 2,
    ClockStage.DECISION_OVERDUE: 2,
}


class EscalationEvents:
    """The persisting functions, one per event type, inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        escalations: EscalationRepository,
        *,
        calendar: WorkCalendar,
        view: EscalationView,
        enqueue: Enqueue,
        direct: SendDirect,
        txn_id: Callable[[str], str],
        late_after: timedelta,
    ) -> None:
        self._session = session
        self._cases = cases
        self.escalations = escalations
        self._jobs = JobRepository(session)
        self._calendar = calendar
        self.view = view
        self._enqueue = enqueue
        self._direct = direct
        self._txn_id = txn_id
        self._late_after = late_after
        #: When a clock job is being handled: the moment it was planned for (lateness).
        self.planned: datetime | None = None
        self._table: Mapping[type[EscalationEvent], Callable[..., Awaitable[str]]] = {
            domain.LevelStarted: self._level_started,
            domain.Acknowledged: self._acknowledged,
            domain.Released: self._released,
            domain.Decided: self._decided,
            domain.Closed: self._closed,
            domain.AckReminder: self._ack_reminder,
            domain.LastLevelUnacknowledged: self._last_level_unacknowledged,
            domain.DecisionReminder: self._decision_reminder,
            domain.DecisionOverdue: self._decision_overdue,
        }

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    async def apply(self, loaded: Loaded, outcome: Transition, room_id: str, key: str) -> Reply:
        """Persist every event (one function per type), then re-arm the clocks.

        The reply goes to ``room_id``; when that is not the case room (a command in the
        coordination room or a direct chat) the case room is told as well.
        """
        fresh = Loaded(loaded.row, loaded.case, outcome.state)
        lines = []
        for event in outcome.events:
            line = await self.persist(fresh, event, room_id, key)
            if line:
                lines.append(line)
        await self._arm(fresh)
        reply = paragraphs(*lines)
        case_room = loaded.case.room_id
        if room_id and case_room and room_id != case_room and lines:
            await self._enqueue(f"esc-case:{key}", case_room, reply)
        return reply

    async def persist(self, loaded: Loaded, event: EscalationEvent, room_id: str, key: str) -> str:
        """Persist one event with its function from the table (the clocks stay as armed)."""
        return await self._table[type(event)](loaded, event, room_id, key)

    async def record(
        self,
        loaded: Loaded,
        actor: str | None,
        kind: str,
        room_id: str | None,
        details: dict[str, str | int | bool | None],
    ) -> None:
        """One audit entry on the case's timeline (``escalation.<kind>``)."""
        await self._cases.record_audit(
            loaded.case,
            actor or "bot",
            f"escalation.{kind}",
            room_id or None,
            {"reference": loaded.row.reference, **details},
        )

    async def _level_started(
        self, loaded: Loaded, event: domain.LevelStarted, room_id: str, key: str
    ) -> str:
        now, row, level = event.at, loaded.row, event.level
        first = event.reason is None and not event.automatic
        if not first:
            await self.escalations.update_level(row.id, row.current_level, left_at=now)
            await self._update(
                loaded,
                status=EscalationStatus.AANGEVRAAGD.value,
                current_level=level.number,
                level_started_at=now,
                acknowledged_by=None,
                acknowledged_at=None,
            )
            row = replace(
                row, current_level=level.number, status=EscalationStatus.AANGEVRAAGD.value
            )
        await self.escalations.update_level(row.id, level.number, started_at=now)
        ctx = Context(row, loaded.case)
        await self._ping(ctx, level, key)
        late = self._late_since(event)
        if not first:
            await self.record(
                loaded,
                event.actor,
                "forwarded",
                room_id,
                {
                    "level": level.number,
                    "automatic": event.automatic,
                    "reason": event.reason,
                },
            )
        if first:
            return await self.view.requested(ctx, level)
        line = await self.view.moved(ctx, level, event.reason, late)
        if event.automatic and loaded.case.room_id:
            await self._enqueue(f"esc-moved:{key}", loaded.case.room_id, text(line))
        return line

    async def _ping(self, ctx: Context, level: FrozenLevel, key: str) -> None:
        """Mention the level's targets in the coordination room and DM each of them."""
        coordination = self._cases.coordination_room
        ping_key = f"esc-ping:{ctx.row.id}:{level.number}:{key}"
        if coordination:
            await self._enqueue(ping_key, coordination, await self.view.ping(ctx, level))
            await ReactionTargetRepository(self._session).add(
                self._txn_id(ping_key), REACTION_KIND, str(ctx.row.id), coordination, self.now
            )
        direct = await self.view.direct(ctx, level)
        for user in level.targets:
            await self._direct(
                user, f"{ping_key}:{user}", direct, reaction=(REACTION_KIND, str(ctx.row.id))
            )

    async def _acknowledged(
        self, loaded: Loaded, event: domain.Acknowledged, room_id: str, key: str
    ) -> str:
        row, now, user = loaded.row, event.at, event.actor or ""
        await self._update(
            loaded,
            status=EscalationStatus.ONTVANGEN.value,
            acknowledged_by=user,
            acknowledged_at=now,
            first_acknowledged_at=row.first_acknowledged_at or now,
        )
        await self.escalations.update_level(row.id, event.level, acknowledged_at=now)
        await self.record(
            loaded,
            user,
            "acknowledged",
            room_id,
            {
                "level": event.level,
                "via_reaction": event.via_reaction,
            },
        )
        lines = [await self.view.line("esc.acknowledged", loaded.ctx, by=user, level=event.level)]
        joined = await self._join_case(loaded, user, now, key)
        if joined:
            lines.append(joined)
        coordination = self._cases.coordination_room
        if coordination and room_id != coordination:
            note = await self.view.coordination("esc.coord.acknowledged", loaded.ctx, by=user)
            await self._enqueue(f"esc-ack:{key}", coordination, note)
        return "\n".join(lines)

    async def _join_case(self, loaded: Loaded, user: str, now: datetime, key: str) -> str:
        """Add the acknowledger to the case (the case's own invite flow, audited)."""
        loaded_case = await self._cases.load_for_room(loaded.case.room_id or "")
        if loaded_case is None or loaded_case.state.is_member(user):
            return ""
        member = (await self._cases.directory()).get(user)
        if member is None:
            return ""
        outcome = case_domain.join_to_handle_escalation(
            loaded_case.state, user, member.organisation.code, now
        )
        if isinstance(outcome, case_domain.Refusal):
            return ""
        await self._cases.apply(loaded_case, outcome, loaded.case.room_id or "", key)
        return self.view.joined_case(member.display_name)

    async def _released(
        self, loaded: Loaded, event: domain.Released, room_id: str, key: str
    ) -> str:
        await self._update(
            loaded,
            status=EscalationStatus.AANGEVRAAGD.value,
            acknowledged_by=None,
            acknowledged_at=None,
            level_started_at=event.at,
        )
        await self.record(loaded, event.actor, "released", room_id, {"level": event.level})
        return await self.view.line("esc.released", loaded.ctx, by=event.actor, level=event.level)

    async def _decided(self, loaded: Loaded, event: domain.Decided, room_id: str, key: str) -> str:
        now = event.at
        await self._update(
            loaded,
            status=EscalationStatus.BESLOTEN.value,
            decision=event.decision,
            decided_at=now,
            closed_at=now,
        )
        await self.escalations.update_level(loaded.row.id, event.level, left_at=now)
        await self._jobs.cancel_for_entity("escalation", str(loaded.row.id), now)
        await self.record(loaded, event.actor, "decided", room_id, {"decision": event.decision})
        coordination = self._cases.coordination_room
        if coordination:
            note = await self.view.coordination("esc.coord.decided", loaded.ctx, by=event.actor)
            await self._enqueue(f"esc-decided:{key}", coordination, note)
        return await self.view.line(
            "esc.decided", loaded.ctx, by=event.actor, decision=event.decision
        )

    async def _closed(self, loaded: Loaded, event: domain.Closed, room_id: str, key: str) -> str:
        now = event.at
        await self._update(
            loaded,
            status=event.status.value,
            close_reason=event.reason,
            closed_at=now,
            acknowledged_by=None,
        )
        await self.escalations.update_level(loaded.row.id, loaded.row.current_level, left_at=now)
        await self._jobs.cancel_for_entity("escalation", str(loaded.row.id), now)
        await self.record(
            loaded,
            event.actor,
            event.status.value,
            room_id,
            {
                "reason": event.reason,
            },
        )
        coordination = self._cases.coordination_room
        if coordination:
            note = await self.view.coordination(
                "esc.coord.closed", loaded.ctx, status=self.view.status_word(event.status)
            )
            await self._enqueue(f"esc-closed:{key}", coordination, note)
        return await self.view.line(
            f"esc.closed.{event.status.value}", loaded.ctx, by=event.actor, reason=event.reason
        )

    async def _ack_reminder(
        self, loaded: Loaded, event: domain.AckReminder, room_id: str, key: str
    ) -> str:
        level = loaded.state.current
        reply = await self.view.ack_reminder(loaded.ctx, level, self._late_since(event))
        coordination = self._cases.coordination_room
        if coordination:
            await self._enqueue(f"esc-remind:{key}", coordination, reply)
        for user in level.targets:
            await self._direct(
                user,
                f"esc-remind:{key}:{user}",
                reply,
                reaction=(REACTION_KIND, str(loaded.row.id)),
            )
        await self.record(loaded, None, "ack_reminder", room_id, {"level": event.level})
        return ""

    async def _last_level_unacknowledged(
        self, loaded: Loaded, event: domain.LastLevelUnacknowledged, room_id: str, key: str
    ) -> str:
        coordination = self._cases.coordination_room
        if coordination:
            note = await self.view.coordination(
                "esc.last_level_unacknowledged",
                loaded.ctx,
                level=event.level,
                late=self.view.late(self._late_since(event)),
            )
            await self._enqueue(f"esc-last:{key}", coordination, note)
        await self.record(loaded, None, "unacknowledged", room_id, {"level": event.level})
        return ""

    async def _decision_reminder(
        self, loaded: Loaded, event: domain.DecisionReminder, room_id: str, key: str
    ) -> str:
        reply = await self.view.decision_reminder(
            loaded.ctx, event.acknowledger, self._late_since(event)
        )
        if loaded.case.room_id:
            await self._enqueue(f"esc-decide-remind:{key}", loaded.case.room_id, reply)
        await self.record(loaded, None, "decision_reminder", room_id, {"level": event.level})
        return ""

    async def _decision_overdue(
        self, loaded: Loaded, event: domain.DecisionOverdue, room_id: str, key: str
    ) -> str:
        coordination = self._cases.coordination_room
        if coordination:
            note = await self.view.coordination(
                "esc.decision_overdue",
                loaded.ctx,
                by=event.acknowledger,
                late=self.view.late(self._late_since(event)),
            )
            await self._enqueue(f"esc-overdue:{key}", coordination, note)
        await self.record(loaded, None, "decision_overdue", room_id, {"level": event.level})
        return ""

    # ------------------------------------------------------------ rows and clocks
    async def _update(self, loaded: Loaded, **values: Any) -> None:
        """Change the row only if its status is still what the domain decided on."""
        if await self.escalations.update(loaded.row.id, loaded.row.status, **values):
            return
        # Someone else changed it in between (a concurrent command, reaction or clock):
        # this unit of work is refused and rolled back, with what happened meanwhile.
        fresh = await self.escalations.get(loaded.row.id)
        status = EscalationStatus(fresh.status) if fresh else EscalationStatus.INGETROKKEN
        if status is EscalationStatus.ONTVANGEN and fresh and fresh.acknowledged_by:
            refusal = Refusal(
                domain.RefusalCode.ALREADY_ACKNOWLEDGED, {"by": fresh.acknowledged_by}
            )
        elif status in domain.CLOSED_STATUSES:
            refusal = Refusal(domain.RefusalCode.CLOSED, {"status": status.value})
        else:
            raise Refused(self.view.problem("esc.changed_meanwhile"))
        raise Refused(await self.view.refusal(refusal))

    def _late_since(self, event: EscalationEvent) -> datetime | None:
        """The planned moment when a clock event comes late (the bot was down), else None."""
        planned = self.planned
        if event.actor is not None or planned is None:
            return None
        return planned if event.at - planned > self._late_after else None

    async def _arm(self, loaded: Loaded) -> None:
        """(Re-)arm the escalation's two clock jobs for its current state."""
        state, row = loaded.state, loaded.row
        if state.is_closed:
            return
        if state.status is EscalationStatus.ONTVANGEN:
            fresh = await self.escalations.get(row.id)
            since = (fresh.acknowledged_at if fresh else None) or self.now
        else:
            fresh = await self.escalations.get(row.id)
            since = fresh.level_started_at if fresh else self.now
        for stage, due in domain.clock_plan(state, since, self._calendar):
            await self._jobs.schedule(
                JOB_ESCALATION_CLOCK,
                due,
                {
                    "escalation_id": row.id,
                    "stage": stage.value,
                    "level": state.level,
                    "planned_at": due.isoformat(),
                },
                self.now,
                dedupe_key=f"escalation:{row.id}:clock{_STAGE_SLOT[stage]}",
                entity_type="escalation",
                entity_id=str(row.id),
            )
