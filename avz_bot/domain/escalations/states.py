"""The escalation state machine: transitions, each checked first by the one permission table
(:mod:`avz_bot.domain.escalations.permissions`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from avz_bot.domain.escalations.events import (
    Acknowledged,
    Closed,
    Decided,
    EscalationEvent,
    LevelStarted,
    Released,
)
from avz_bot.domain.escalations.model import (
    EscalationState,
    EscalationStatus,
    FrozenLevel,
    Refusal,
    RefusalCode,
    RouteKind,
    next_level,
)
from avz_bot.domain.escalations.permissions import EscalationAction, check
from avz_bot.domain.partners import Member


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted action: the new state and what happened."""

    state: EscalationState
    events: tuple[EscalationEvent, ...]


Outcome = Transition | Refusal


# ---------------------------------------------------------------- transitions


def request(
    *,
    reference: str,
    route: RouteKind,
    levels: tuple[FrozenLevel, ...],
    requester: str,
    urgent: bool,
    partner: str | None,
    reason: str,
    decision_asked: str,
    regie_holder: str | None,
    case_members: frozenset[str],
    now: datetime,
) -> Outcome:
    """A new escalation at the first level with targets (``reason`` and the decision asked
    are required; ``partner`` exactly for ``samenwerking``)."""
    if not reason.strip() or not decision_asked.strip():
        return Refusal(RefusalCode.REASON_REQUIRED)
    if route is RouteKind.SAMENWERKING and not partner:
        return Refusal(RefusalCode.PARTNER_REQUIRED)
    if route is RouteKind.INHOUDELIJK and partner:
        return Refusal(RefusalCode.PARTNER_NOT_ALLOWED)
    first = next_level(levels, 0)
    if first is None:
        return Refusal(RefusalCode.NO_TARGETS)
    state = EscalationState(
        reference=reference,
        route=route,
        status=EscalationStatus.AANGEVRAAGD,
        urgent=urgent,
        requester=requester,
        levels=levels,
        level=first.number,
        regie_holder=regie_holder,
        case_members=case_members,
    )
    return Transition(state, (LevelStarted(now, requester, first, None, automatic=False),))


def acknowledge(
    state: EscalationState, member: Member, now: datetime, *, via_reaction: bool = False
) -> Outcome:
    """A target of the current level acknowledges (``!ontvangen`` or 👍)."""
    refusal = check(EscalationAction.ACKNOWLEDGE, state, member)
    if refusal is not None:
        return refusal
    new = replace(state, status=EscalationStatus.ONTVANGEN, acknowledged_by=member.matrix_id)
    return Transition(new, (Acknowledged(now, member.matrix_id, state.level, via_reaction),))


def release(state: EscalationState, member: Member, now: datetime) -> Outcome:
    """The acknowledger gives it back: waiting again at the same level, clock restarted."""
    refusal = check(EscalationAction.RELEASE, state, member)
    if refusal is not None:
        return refusal
    new = replace(state, status=EscalationStatus.AANGEVRAAGD, acknowledged_by=None)
    return Transition(new, (Released(now, member.matrix_id, state.level),))


def decide(state: EscalationState, member: Member, decision: str, now: datetime) -> Outcome:
    """The acknowledger records the decision (required text); closed as ``besloten``."""
    refusal = check(EscalationAction.DECIDE, state, member)
    if refusal is not None:
        return refusal
    if not decision.strip():
        return Refusal(RefusalCode.REASON_REQUIRED)
    new = replace(state, status=EscalationStatus.BESLOTEN)
    return Transition(new, (Decided(now, member.matrix_id, state.level, decision.strip()),))


def forward(state: EscalationState, member: Member, reason: str, now: datetime) -> Outcome:
    """``!doorzetten``: to the next level with targets at once (status aangevraagd)."""
    refusal = check(EscalationAction.FORWARD, state, member)
    if refusal is not None:
        return refusal
    if not reason.strip():
        return Refusal(RefusalCode.REASON_REQUIRED)
    target = next_level(state.levels, state.level)
    if target is None:
        return Refusal(RefusalCode.NO_NEXT_LEVEL)
    return move_to(state, target, member.matrix_id, reason.strip(), now, automatic=False)


def move_to(
    state: EscalationState,
    target: FrozenLevel,
    actor: str | None,
    reason: str | None,
    now: datetime,
    *,
    automatic: bool,
) -> Transition:
    """The escalation now waits at ``target`` (moved by ``actor``, or by the clock)."""
    new = replace(
        state, status=EscalationStatus.AANGEVRAAGD, acknowledged_by=None, level=target.number
    )
    return Transition(new, (LevelStarted(now, actor, target, reason, automatic),))


def close(
    state: EscalationState,
    member: Member,
    status: EscalationStatus,
    reason: str,
    now: datetime,
) -> Outcome:
    """``!afschalen`` (status afgeschaald) or ``!opschaling intrekken`` (ingetrokken)."""
    action = {
        EscalationStatus.AFGESCHAALD: EscalationAction.DEESCALATE,
        EscalationStatus.INGETROKKEN: EscalationAction.WITHDRAW,
    }[status]
    refusal = check(action, state, member)
    if refusal is not None:
        return refusal
    if not reason.strip():
        return Refusal(RefusalCode.REASON_REQUIRED)
    new = replace(state, status=status, acknowledged_by=None)
    return Transition(new, (Closed(now, member.matrix_id, status, reason.strip()),))
