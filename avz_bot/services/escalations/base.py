"""What the parts of the escalation service share: the stored escalation with its case
(:class:`Loaded`), frozen levels, and the area's constants."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from avz_bot.domain.escalations import (
    EscalationState,
    FrozenLevel,
    LevelPolicy,
    TargetKind,
)
from avz_bot.domain.inbound import Reply
from avz_bot.services.escalations.view import Context
from storage.case_repositories import CaseRow
from storage.escalation_repositories import EscalationRow, LevelSnapshot

JOB_ESCALATION_CLOCK = "escalation.clock"
#: Reactions to the bot's escalation pings are routed to this kind's handler.
REACTION_KIND = "escalation"

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
