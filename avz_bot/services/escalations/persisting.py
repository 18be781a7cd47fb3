"""Persisting escalation events: one small function per domain event type (:data:`PERSISTERS`).

Each writes the escalation row and its level times, the audit trail (the case's
timeline), pings and direct messages for that one event, and returns the line for the
reply (or ``""``). :meth:`EscalationPersisting._apply` runs them and re-arms the clocks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from avz_bot.domain import cases as case_domain
from avz_bot.domain import escalations as domain
from avz_bot.domain.escalations import (
    EscalationEvent,
    EscalationStatus,
    FrozenLevel,
    Transition,
)
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import paragraphs, text
from avz_bot.services.escalations.base import (
    REACTION_KIND,
    EscalationBase,
    Loaded,
)
from avz_bot.services.escalations.view import Context
from storage.outbox_repositories import ReactionTargetRepository


class EscalationPersisting(EscalationBase):
    """The persisting half of the escalation service."""

    async def _apply(self, loaded: Loaded, outcome: Transition, room_id: str, key: str) -> Reply:
        """Persist every event (one function per type), then re-arm the clocks.

        The reply goes to ``room_id``; when that is not the case room (a command in the
        coordination room or a direct chat) the case room is told as well.
        """
        fresh = Loaded(loaded.row, loaded.case, outcome.state)
        lines = []
        for event in outcome.events:
            line = await self._persist(fresh, event, room_id, key)
            if line:
                lines.append(line)
        await self._arm(fresh)
        reply = paragraphs(*lines)
        case_room = loaded.case.room_id
        if room_id and case_room and room_id != case_room and lines:
            await self._enqueue(f"esc-case:{key}", case_room, reply)
        return reply

    async def _persist(self, loaded: Loaded, event: EscalationEvent, room_id: str, key: str) -> str:
        """Persist one event with its function from :data:`PERSISTERS`."""
        return await PERSISTERS[type(event)](self, loaded, event, room_id, key)

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
            row = replace(row, current_level=level.number, status="aangevraagd")
        await self.escalations.update_level(row.id, level.number, started_at=now)
        ctx = Context(row, loaded.case)
        await self._ping(ctx, level, key)
        late = self._late_since(event)
        if not first:
            await self._record(
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
        await self._record(
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
        return self.view.t("esc.joined_case", name=member.display_name)

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
        await self._record(loaded, event.actor, "released", room_id, {"level": event.level})
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
        await self._record(loaded, event.actor, "decided", room_id, {"decision": event.decision})
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
        await self._record(
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
        await self._record(loaded, None, "ack_reminder", room_id, {"level": event.level})
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
        await self._record(loaded, None, "unacknowledged", room_id, {"level": event.level})
        return ""

    async def _decision_reminder(
        self, loaded: Loaded, event: domain.DecisionReminder, room_id: str, key: str
    ) -> str:
        reply = await self.view.decision_reminder(
            loaded.ctx, event.acknowledger, self._late_since(event)
        )
        if loaded.case.room_id:
            await self._enqueue(f"esc-decide-remind:{key}", loaded.case.room_id, reply)
        await self._record(loaded, None, "decision_reminder", room_id, {"level": event.level})
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
        await self._record(loaded, None, "decision_overdue", room_id, {"level": event.level})
        return ""


#: Event type → the function that persists it (the one table; no isinstance chain).
PERSISTERS: dict[type[EscalationEvent], Callable[..., Awaitable[str]]] = {
    domain.LevelStarted: EscalationPersisting._level_started,
    domain.Acknowledged: EscalationPersisting._acknowledged,
    domain.Released: EscalationPersisting._released,
    domain.Decided: EscalationPersisting._decided,
    domain.Closed: EscalationPersisting._closed,
    domain.AckReminder: EscalationPersisting._ack_reminder,
    domain.LastLevelUnacknowledged: EscalationPersisting._last_level_unacknowledged,
    domain.DecisionReminder: EscalationPersisting._decision_reminder,
    domain.DecisionOverdue: EscalationPersisting._decision_overdue,
}
