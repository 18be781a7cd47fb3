"""The escalation state machine: permissions (one table), refusals and transitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.escalations.events import (
    Acknowledged,
    Closed,
    Decided,
    EscalationEvent,
    LevelStarted,
    Released,
)
from avz_bot.domain.escalations.model import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    EscalationStatus,
    FrozenLevel,
    RouteKind,
    next_level,
)
from avz_bot.domain.partners import Member, Role


class EscalationAction(StrEnum):
    """Everything a person can do with an escalation; the keys of :data:`PERMISSIONS`."""

    ACKNOWLEDGE = "acknowledge"  # !ontvangen or 👍
    RELEASE = "release"  # !vrijgeven
    DECIDE = "decide"  # !besluit
    FORWARD = "forward"  # !doorzetten
    DEESCALATE = "deescalate"  # !afschalen
    WITHDRAW = "withdraw"  # !opschaling intrekken


class Actor(StrEnum):
    """A relationship a person can have to an escalation (see :func:`actors_for`)."""

    REQUESTER = "requester"
    REGIEHOUDER = "regiehouder"  # holds regie of the case
    CASE_MEMBER = "case_member"  # member of the case (cannot change an escalation as such)
    TARGET = "target"  # a target of the current level
    ACKNOWLEDGER = "acknowledger"  # acknowledged the current level
    KETENMANAGER = "ketenmanager"


class RefusalCode(StrEnum):
    """Why an action was refused; the view maps each to a Dutch message."""

    CLOSED = "closed"  # params: status
    NOT_PERMITTED = "not_permitted"  # params: allowed (comma-separated Actor values)
    ALREADY_ACKNOWLEDGED = "already_acknowledged"  # params: by
    NOT_ACKNOWLEDGED = "not_acknowledged"
    NO_NEXT_LEVEL = "no_next_level"
    NO_TARGETS = "no_targets"  # nobody on the route could be reached
    PARTNER_REQUIRED = "partner_required"
    PARTNER_NOT_ALLOWED = "partner_not_allowed"
    REASON_REQUIRED = "reason_required"


# ---------------------------------------------------------------------- the table

PERMISSIONS: Mapping[EscalationAction, frozenset[Actor]] = MappingProxyType(
    {
        EscalationAction.ACKNOWLEDGE: frozenset({Actor.TARGET}),
        EscalationAction.RELEASE: frozenset({Actor.ACKNOWLEDGER}),
        EscalationAction.DECIDE: frozenset({Actor.ACKNOWLEDGER}),
        EscalationAction.FORWARD: frozenset({Actor.TARGET, Actor.KETENMANAGER}),
        EscalationAction.DEESCALATE: frozenset({Actor.REQUESTER, Actor.REGIEHOUDER, Actor.TARGET}),
        EscalationAction.WITHDRAW: frozenset({Actor.REQUESTER, Actor.REGIEHOUDER}),
    }
)
"""Who may change an escalation: any one of the relationships suffices.

Requesting is open to every member of the case, and ``!opschalingen`` shows a case's
escalations to its members (both checked with the case's own rules); the coordination
room's overview is for whoever is in that room. ``TARGET`` means a target of the
*current* level, frozen at request.
"""

ALLOWED_STATES: Mapping[EscalationAction, frozenset[EscalationStatus]] = MappingProxyType(
    {
        EscalationAction.ACKNOWLEDGE: frozenset({EscalationStatus.AANGEVRAAGD}),
        EscalationAction.RELEASE: frozenset({EscalationStatus.ONTVANGEN}),
        EscalationAction.DECIDE: frozenset({EscalationStatus.ONTVANGEN}),
        EscalationAction.FORWARD: OPEN_STATUSES,
        EscalationAction.DEESCALATE: OPEN_STATUSES,
        EscalationAction.WITHDRAW: OPEN_STATUSES,
    }
)
"""In which states an action is possible (closed states allow none)."""


def permission_table_rows() -> list[tuple[EscalationAction, list[Actor]]]:
    """The permission table in declaration order, for the README."""
    return [
        (action, [actor for actor in Actor if actor in PERMISSIONS[action]])
        for action in EscalationAction
    ]


# ---------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class EscalationState:
    """What the domain needs to decide on an escalation.

    ``level`` is the number of the current level; ``acknowledged_by`` is set exactly in
    state ``ontvangen`` (and kept
    in ``besloten``: who decided). ``case_members`` and ``regie_holder`` describe the case.
    """

    reference: str
    route: RouteKind
    status: EscalationStatus
    urgent: bool
    requester: str
    levels: tuple[FrozenLevel, ...]
    level: int
    acknowledged_by: str | None = None
    regie_holder: str | None = None
    case_members: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not any(lv.number == self.level for lv in self.levels):
            raise ValueError("the current level must be one of the frozen levels")
        if self.status is EscalationStatus.ONTVANGEN and self.acknowledged_by is None:
            raise ValueError("an acknowledged escalation needs its acknowledger")
        if self.status is EscalationStatus.AANGEVRAAGD and self.acknowledged_by is not None:
            raise ValueError("an escalation waiting for acknowledgement has no acknowledger")

    @property
    def current(self) -> FrozenLevel:
        """The frozen current level."""
        return next(lv for lv in self.levels if lv.number == self.level)

    @property
    def is_closed(self) -> bool:
        """Whether the escalation is final."""
        return self.status in CLOSED_STATUSES


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused action: a code for the catalogue and its parameters."""

    code: RefusalCode
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted action: the new state and what happened."""

    state: EscalationState
    events: tuple[EscalationEvent, ...]


Outcome = Transition | Refusal


# ---------------------------------------------------------------- checking


def actors_for(state: EscalationState, member: Member) -> frozenset[Actor]:
    """Every relationship ``member`` has to the escalation."""
    user = member.matrix_id
    actors: set[Actor] = set()
    if user == state.requester:
        actors.add(Actor.REQUESTER)
    if user == state.regie_holder:
        actors.add(Actor.REGIEHOUDER)
    if user in state.case_members:
        actors.add(Actor.CASE_MEMBER)
    if user in state.current.targets:
        actors.add(Actor.TARGET)
    if user == state.acknowledged_by:
        actors.add(Actor.ACKNOWLEDGER)
    if member.has_role(Role.KETENMANAGER):
        actors.add(Actor.KETENMANAGER)
    return frozenset(actors)


def check(action: EscalationAction, state: EscalationState, member: Member) -> Refusal | None:
    """Why ``member`` may not do ``action`` now, or None: closed → permission → state.

    One refinement: a target of a level that is still waiting who tries what only the
    acknowledger may do hears that it has not been acknowledged yet.
    """
    if state.is_closed:
        return Refusal(RefusalCode.CLOSED, {"status": state.status.value})
    allowed = PERMISSIONS[action]
    actors = actors_for(state, member)
    if (
        Actor.ACKNOWLEDGER in allowed
        and state.status is EscalationStatus.AANGEVRAAGD
        and Actor.TARGET in actors
    ):
        # A target who has not acknowledged yet: tell them that, not "only the acknowledger".
        return Refusal(RefusalCode.NOT_ACKNOWLEDGED)
    if not allowed & actors:
        ordered = [a.value for a in Actor if a in allowed]
        return Refusal(RefusalCode.NOT_PERMITTED, {"allowed": ",".join(ordered)})
    if state.status not in ALLOWED_STATES[action]:
        if state.status is EscalationStatus.ONTVANGEN:
            return Refusal(RefusalCode.ALREADY_ACKNOWLEDGED, {"by": state.acknowledged_by or ""})
        return Refusal(RefusalCode.NOT_ACKNOWLEDGED)
    return None


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
