"""Escalations (opschalingen): one unit of work per command, reaction or clock job.

Every method runs inside the caller's transaction. It loads the escalation (with its
frozen levels and its case), lets the pure domain (``avz_bot.domain.escalations``)
decide, and then persists each resulting event with one small function per event type
(:attr:`EscalationService._persisters`): the escalation row and its level times, the audit
trail (which is the case's timeline), pings and direct messages, and the clock jobs.
Wording lives in :mod:`avz_bot.services.escalations_view`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as case_domain
from avz_bot.domain import escalations as domain
from avz_bot.domain.escalations import (
    ClockStage,
    EscalationAction,
    EscalationEvent,
    EscalationState,
    EscalationStatus,
    FrozenLevel,
    LevelPolicy,
    Refusal,
    RouteKind,
    TargetKind,
    Transition,
)
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member, Organisation
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import paragraphs, text
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseCommandError, CaseService
from avz_bot.services.direct_messages import schedule_direct_message
from avz_bot.services.escalations_view import Context, EscalationView
from avz_bot.settings_sections.escalations import EscalationSettings
from storage.case_repositories import CLOSED_STATUS, CaseRepository, CaseRow
from storage.escalation_repositories import (
    EscalationRepository,
    EscalationRow,
    LevelSnapshot,
    ListedEscalation,
    ReactionTargetRepository,
    overdue_agreements_by_municipality,
)
from storage.schedule_repositories import JobRepository, JobRow

JOB_ESCALATION_CLOCK = "escalation.clock"
#: Reactions to the bot's escalation pings are routed to this kind's handler.
REACTION_KIND = "escalation"
#: Stages share two job rows per escalation: the first (reminder) and second step.
_STAGE_SLOT = {
    ClockStage.ACK_REMINDER: 1,
    ClockStage.DECISION_REMINDER: 1,
    ClockStage.ACK_ESCALATE: 2,
    ClockStage.DECISION_OVERDUE: 2,
}

Enqueue = Callable[[str, str, Reply], Awaitable[None]]


def is_acknowledgement(key: str) -> bool:
    """Whether a reaction key is a thumbs-up (any skin tone, with or without VS16)."""
    return key.startswith("👍")


@dataclass(frozen=True)
class Loaded:
    """An escalation as stored, its case, and the domain's view of both."""

    row: EscalationRow
    case: CaseRow
    state: EscalationState

    @property
    def ctx(self) -> Context:
        """The view's context."""
        return Context(self.row, self.case)


def _frozen(snapshot: LevelSnapshot, targets: tuple[str, ...] = ()) -> FrozenLevel:
    """The domain's frozen level (``targets`` left empty where only the clocks matter)."""
    policy = LevelPolicy(
        targets=TargetKind(snapshot.target_kind),
        ack_working_hours=snapshot.ack_working_hours,
        decision_working_days=snapshot.decision_working_days,
        urgent_ack_minutes=snapshot.urgent_ack_minutes,
        urgent_decision_hours=snapshot.urgent_decision_hours,
    )
    return FrozenLevel(snapshot.number, policy, snapshot.scope, targets)


class EscalationService:
    """Escalation operations inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        *,
        settings: EscalationSettings,
        calendar: WorkCalendar,
        messages: Messages,
        prefix: str,
        enqueue: Enqueue,
        txn_id: Callable[[str], str],
        late_after: timedelta,
    ) -> None:
        self._session = session
        self._cases = cases
        self._settings = settings
        self._calendar = calendar
        self._prefix = prefix
        self._enqueue = enqueue
        self._txn_id = txn_id
        self._late_after = late_after
        self.escalations = EscalationRepository(session)
        self._jobs = JobRepository(session)
        self.view = EscalationView(cases, messages, prefix)
        self._persisters: dict[type[EscalationEvent], Callable[..., Awaitable[str]]] = {
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

    def _refuse(self, key: str, /, **values: object) -> CaseCommandError:
        return CaseCommandError(text(self.view.t(key, **values)))

    # ------------------------------------------------------------ loading
    async def _load(self, row: EscalationRow) -> Loaded:
        case = await CaseRepository(self._session).get(row.case_id)
        assert case is not None  # escalations cascade with their case
        members = frozenset(
            m.matrix_id for m in await CaseRepository(self._session).list_members(case.id)
        )
        levels = tuple(
            _frozen(lv.snapshot, lv.targets) for lv in await self.escalations.levels(row.id)
        )
        state = EscalationState(
            reference=row.reference,
            route=RouteKind(row.route),
            status=EscalationStatus(row.status),
            urgent=row.urgent,
            requester=row.requester,
            levels=levels,
            level=row.current_level,
            acknowledged_by=row.acknowledged_by,
            regie_holder=case.regie_holder,
            case_members=members,
        )
        return Loaded(row, case, state)

    async def _by_reference(self, reference_text: str) -> Loaded:
        reference = domain.parse_reference(reference_text)
        if reference is None:
            raise self._refuse("esc.bad_reference", value=reference_text)
        row = await self.escalations.by_reference(reference)
        if row is None:
            raise self._refuse("esc.not_found", reference=reference)
        return await self._load(row)

    # ------------------------------------------------------------ commands
    async def request(
        self,
        member: Member,
        room_id: str,
        *,
        route: RouteKind,
        reason: str,
        decision_asked: str,
        partner: str | None,
        urgent: bool,
        key: str,
    ) -> Reply:
        """``!opschalen``: freeze the route, store the escalation, ping level one."""
        loaded_case = await self._cases.load_for_room(room_id)
        if loaded_case is None:
            raise self._refuse("esc.not_a_case_room", prefix=self._prefix)
        if not loaded_case.state.is_member(member.matrix_id):
            raise self._refuse("esc.not_a_case_member")
        if loaded_case.state.is_closed:
            closed = case_domain.Refusal(case_domain.RefusalCode.CASE_CLOSED)
            raise CaseCommandError(self._cases.refusal_reply(closed))
        case = loaded_case.row
        directory = await self._cases.directory()
        partner_org = self._organisation(partner, directory) if partner else None
        levels = domain.freeze_route(
            self._settings.policies(route),
            directory.values(),
            case.municipality,
            partner_org,
            member.matrix_id,
        )
        year = self._calendar.local_date(self.now).year
        reference = domain.format_reference(year, await self.escalations.next_number(year))
        outcome = domain.request(
            reference=reference,
            route=route,
            levels=levels,
            requester=member.matrix_id,
            urgent=urgent,
            partner=partner,
            reason=reason,
            decision_asked=decision_asked,
            regie_holder=loaded_case.state.regie_holder,
            case_members=frozenset(loaded_case.state.members),
            now=self.now,
        )
        if isinstance(outcome, Refusal):
            raise CaseCommandError(await self.view.refusal(outcome))
        row = await self.escalations.create(
            [
                {
                    "number": lv.number,
                    "target_kind": lv.policy.targets.value,
                    "scope": lv.scope,
                    "targets": list(lv.targets),
                    "ack_working_hours": lv.policy.ack_working_hours,
                    "decision_working_days": lv.policy.decision_working_days,
                    "urgent_ack_minutes": lv.policy.urgent_ack_minutes,
                    "urgent_decision_hours": lv.policy.urgent_decision_hours,
                }
                for lv in levels
            ],
            reference=reference,
            case_id=case.id,
            route=route.value,
            status=EscalationStatus.AANGEVRAAGD.value,
            urgent=urgent,
            partner_org=partner_org.code if partner_org else None,
            requester=member.matrix_id,
            requester_org=member.organisation.code,
            reason=reason.strip(),
            decision_asked=decision_asked.strip(),
            current_level=outcome.state.level,
            level_started_at=self.now,
            requested_at=self.now,
        )
        loaded = Loaded(row, case, outcome.state)
        await self._record(
            loaded,
            member.matrix_id,
            "requested",
            room_id,
            {
                "route": route.value,
                "urgent": urgent,
                "partner": row.partner_org,
            },
        )
        return await self._apply(loaded, outcome, room_id, key)

    def _organisation(self, code: str, directory: dict[str, Member]) -> Organisation:
        wanted = code.strip().lower()
        for candidate in directory.values():
            if candidate.organisation.code == wanted:
                return candidate.organisation
        raise self._refuse("esc.unknown_partner", value=code)

    async def act(
        self,
        member: Member,
        reference: str,
        action: EscalationAction,
        room_id: str,
        key: str,
        words: str = "",
        *,
        via_reaction: bool = False,
    ) -> Reply:
        """``!ontvangen``, ``!vrijgeven``, ``!besluit``, ``!doorzetten``, ``!afschalen``,
        ``!opschaling intrekken``: ``words`` is the decision or the reason."""
        loaded = await self._by_reference(reference)
        state, now = loaded.state, self.now
        outcome: domain.Outcome
        if action is EscalationAction.ACKNOWLEDGE:
            outcome = domain.acknowledge(state, member, now, via_reaction=via_reaction)
        elif action is EscalationAction.RELEASE:
            outcome = domain.release(state, member, now)
        elif action is EscalationAction.DECIDE:
            outcome = domain.decide(state, member, words, now)
        elif action is EscalationAction.FORWARD:
            outcome = domain.forward(state, member, words, now)
        elif action is EscalationAction.DEESCALATE:
            outcome = domain.close(state, member, EscalationStatus.AFGESCHAALD, words, now)
        else:
            outcome = domain.close(state, member, EscalationStatus.INGETROKKEN, words, now)
        if isinstance(outcome, Refusal):
            raise CaseCommandError(await self.view.refusal(outcome))
        return await self._apply(loaded, outcome, room_id, key)

    async def reaction(self, member: Member | None, entity_id: str, key: str, emoji: str) -> None:
        """A reaction on one of the bot's pings: a 👍 acknowledges (only from a target).

        Anyone else gets a short refusal in their direct chat and nothing changes; other
        emoji are ignored.
        """
        if member is None or not is_acknowledgement(emoji):
            return
        row = await self.escalations.get(int(entity_id))
        if row is None:
            return
        loaded = await self._load(row)
        outcome = domain.acknowledge(loaded.state, member, self.now, via_reaction=True)
        if isinstance(outcome, Refusal):
            if outcome.code is domain.RefusalCode.ALREADY_ACKNOWLEDGED and (
                loaded.state.acknowledged_by == member.matrix_id
            ):
                return  # their own second 👍 (e.g. in the other room): nothing to say
            message = (await self.view.refusal(outcome)).plain
            reply = text(
                self.view.t(
                    "esc.reaction_closed" if loaded.state.is_closed else "esc.reaction_refused",
                    reference=row.reference,
                    status=self.view.t(f"esc.status.{row.status}"),
                    allowed=self.view.t("esc.actor.target"),
                )
                if outcome.code in {domain.RefusalCode.CLOSED, domain.RefusalCode.NOT_PERMITTED}
                else message
            )
            await schedule_direct_message(
                self._session,
                user=member.matrix_id,
                key=f"esc-react:{key}",
                reply=reply,
                now=self.now,
            )
            return
        reply = await self._apply(loaded, outcome, "", key)
        if loaded.case.room_id:
            await self._enqueue(f"esc-react:{key}", loaded.case.room_id, reply)

    # ------------------------------------------------------------ persisting
    async def _apply(self, loaded: Loaded, outcome: Transition, room_id: str, key: str) -> Reply:
        """Persist every event (one function per type), then re-arm the clocks.

        The reply goes to ``room_id``; when that is not the case room (a command in the
        coordination room or a direct chat) the case room is told as well.
        """
        fresh = Loaded(loaded.row, loaded.case, outcome.state)
        lines = []
        for event in outcome.events:
            persist = self._persisters[type(event)]
            line = await persist(fresh, event, room_id, key)
            if line:
                lines.append(line)
        await self._arm(fresh)
        reply = paragraphs(*lines)
        case_room = loaded.case.room_id
        if room_id and case_room and room_id != case_room and lines:
            await self._enqueue(f"esc-case:{key}", case_room, reply)
        return reply

    async def _record(
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
            raise self._refuse("esc.changed_meanwhile", prefix=self._prefix)
        raise CaseCommandError(await self.view.refusal(refusal))

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
            await schedule_direct_message(
                self._session,
                user=user,
                key=f"{ping_key}:{user}",
                reply=direct,
                now=self.now,
                reaction=(REACTION_KIND, str(ctx.row.id)),
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
        state = loaded_case.state
        members = dict(state.members)
        members[user] = case_domain.CaseMember(user, member.organisation.code, now)
        added = case_domain.MemberAdded(state.reference, now, user, user, member.organisation.code)
        transition = case_domain.Transition(replace(state, members=members), (added,))
        await self._cases.apply(loaded_case, transition, loaded.case.room_id or "", key)
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
            await schedule_direct_message(
                self._session,
                user=user,
                key=f"esc-remind:{key}:{user}",
                reply=reply,
                now=self.now,
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

    # ------------------------------------------------------------ clocks
    _planned: datetime | None = None

    def _late_since(self, event: EscalationEvent) -> datetime | None:
        """The planned moment when a clock event comes late (the bot was down), else None."""
        planned = self._planned
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

    async def clock_fired(self, job: JobRow) -> None:
        """A clock job: remind, move on, or nothing when the escalation has moved on."""
        row = await self.escalations.get(int(job.payload["escalation_id"]))
        if row is None:
            return
        loaded = await self._load(row)
        if loaded.case.status == CLOSED_STATUS:
            return  # the case was closed: its escalations' clocks stop
        stage = ClockStage(str(job.payload["stage"]))
        planned = datetime.fromisoformat(str(job.payload["planned_at"]))
        outcome = domain.clock_fired(loaded.state, stage, int(job.payload["level"]), self.now)
        if outcome is None:
            return
        self._planned = planned
        key = f"clock:{row.id}:{stage.value}:{planned.isoformat()}"
        if stage in {ClockStage.ACK_ESCALATE} and outcome.state.level != loaded.state.level:
            await self._apply(loaded, outcome, "", key)
            return
        # A reminder or a note: nothing about the state changes, the clocks stay as armed.
        for event in outcome.events:
            await self._persisters[type(event)](loaded, event, "", key)

    # ------------------------------------------------------------ overviews
    def _lines(self, listed: list[ListedEscalation]) -> list[str]:
        """List lines (the rows come from one joined query)."""
        return [
            self.view.list_line(
                item.row,
                _frozen(item.level),
                item.municipality,
                self._calendar.working_hours_between(item.row.requested_at, self.now),
            )
            for item in listed
        ]

    async def overview(self, member: Member, room_id: str) -> Reply:
        """``!opschalingen``: all open ones in the coordination room, else this case's."""
        limit = self._settings.list_limit
        if room_id and room_id == self._cases.coordination_room:
            listed = await self.escalations.list_open(limit)
            more = await self.escalations.count_open() - len(listed)
            return self.view.listing(self.view.t("esc.list.title_all"), self._lines(listed), more)
        loaded_case = await self._cases.load_for_room(room_id)
        if loaded_case is None:
            raise self._refuse("esc.not_a_case_room", prefix=self._prefix)
        refusal = case_domain.check(case_domain.CaseAction.VIEW, loaded_case.state, member)
        if refusal is not None:
            raise CaseCommandError(self._cases.refusal_reply(refusal))
        listed = await self.escalations.list_for_case(loaded_case.row.id, limit)
        more = await self.escalations.count_for_case(loaded_case.row.id) - len(listed)
        title = self.view.t("esc.list.title_case", reference=loaded_case.row.reference)
        return self.view.listing(title, self._lines(listed), more)

    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """``!mijn``: escalations waiting for ``member`` — to decide, then to acknowledge
        (two indexed queries: by acknowledger and by target)."""
        user = member.matrix_id
        lines = [
            self.view.t("esc.mine.decide", reference=row.reference, prefix=self._prefix)
            for row in await self.escalations.acknowledged_by(user)
        ]
        lines += [
            self.view.t("esc.mine.ack", reference=row.reference, prefix=self._prefix)
            for row in await self.escalations.waiting_for(user)
        ]
        return self.view.t("esc.mine.heading"), lines

    async def overdue_acknowledgements(self) -> list[str]:
        """Digest section: escalations whose acknowledgement timeout has passed."""
        lines = []
        for item in await self.escalations.list_waiting():
            row, frozen = item.row, _frozen(item.level)
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

    async def open_lines(self) -> tuple[list[str], int]:
        """Digest section: open escalations oldest first (bounded) and how many more."""
        listed = await self.escalations.list_open(self._settings.list_limit)
        return self._lines(listed), await self.escalations.count_open() - len(listed)

    async def overdue_agreement_counts(self) -> list[tuple[str, int]]:
        """Digest section data: overdue open agreements per municipality code."""
        return await overdue_agreements_by_municipality(self._session, self.now)
