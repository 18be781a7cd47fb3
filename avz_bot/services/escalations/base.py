"""The shared core of the escalation services: construction, loading, auditing, clocks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import escalations as domain
from avz_bot.domain.escalations import (
    ClockStage,
    EscalationEvent,
    EscalationState,
    EscalationStatus,
    FrozenLevel,
    LevelPolicy,
    Refusal,
    RouteKind,
    TargetKind,
)
from avz_bot.domain.inbound import Reply
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import text
from avz_bot.messages import Messages
from avz_bot.services.area import SendDirect
from avz_bot.services.cases import CaseCommandError, CaseService
from avz_bot.services.escalations.view import Context, EscalationView
from avz_bot.settings_sections.escalations import EscalationSettings
from storage.case_repositories import CaseRepository, CaseRow
from storage.escalation_repositories import (
    EscalationRepository,
    EscalationRow,
    LevelSnapshot,
)
from storage.schedule_repositories import JobRepository

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


def frozen_level(snapshot: LevelSnapshot, targets: tuple[str, ...] = ()) -> FrozenLevel:
    """The domain's frozen level (``targets`` left empty where only the clocks matter)."""
    policy = LevelPolicy(
        targets=TargetKind(snapshot.target_kind),
        ack_working_hours=snapshot.ack_working_hours,
        decision_working_days=snapshot.decision_working_days,
        urgent_ack_minutes=snapshot.urgent_ack_minutes,
        urgent_decision_hours=snapshot.urgent_decision_hours,
    )
    return FrozenLevel(snapshot.number, policy, snapshot.scope, targets)


class EscalationBase:
    """Escalation operations inside one transaction: what every part needs."""

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
        direct: SendDirect,
        txn_id: Callable[[str], str],
        late_after: timedelta,
    ) -> None:
        self._session = session
        self._cases = cases
        self._settings = settings
        self._calendar = calendar
        self._prefix = prefix
        self._enqueue = enqueue
        self._direct = direct
        self._txn_id = txn_id
        self._late_after = late_after
        self.escalations = EscalationRepository(session)
        self._jobs = JobRepository(session)
        self.view = EscalationView(cases, messages, prefix)
        self._planned: datetime | None = None

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
            frozen_level(lv.snapshot, lv.targets) for lv in await self.escalations.levels(row.id)
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

    # ------------------------------------------------------------ clocks
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
