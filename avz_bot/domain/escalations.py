"""Escalations ("opschalingen"): routes, frozen levels, states, permissions and clocks (pure).

An escalation climbs a **route** of levels. Routes are configuration, the same for every
municipality (BRIEF §1.3); at request the route is **frozen**: every level is stored with
the people it resolves to at that moment (:func:`freeze_route`), so later changes to the
configuration or the partner registry do not alter a running escalation (the snapshot
approach of Grafana OnCall and GitLab, see research/anchors.md §1.1). A level whose targets
are empty is skipped, not waited out (goalert#4548). The requester is never their own
target: you cannot acknowledge your own escalation.

States (values are the Dutch words shown to users)::

    aangevraagd --ack--> ontvangen --besluit--> besloten
        ^   |               |  \\--vrijgeven--> aangevraagd (same level, clock restarts)
        |   |               |
        +---+--doorzetten---+  (next level: aangevraagd again)
            +--afschalen / intrekken--> afgeschaald / ingetrokken

``besloten``, ``afgeschaald`` and ``ingetrokken`` are final: every action on a closed
escalation is refused (never a silent reopen, cf. oncall#3161).

Permissions live in :data:`PERMISSIONS` and are enforced by :func:`check`, which every
transition calls first: (1) a closed escalation refuses everything; (2) the actor's
relationships (:func:`actors_for`) must meet the table; (3) the state must allow it
(:data:`ALLOWED_STATES`).

Clocks (:func:`ack_deadline`, :func:`decision_deadline`): the acknowledgement timeout is in
working hours, the decision timeout in working days (:class:`WorkCalendar`); an ``urgent``
escalation uses the level's own shorter timeouts in real time, around the clock. Each clock
has two stages: at the timeout a reminder, after the same time again the next step (the
next level, or for a decision the coordination room).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.partners import (
    REGION_SCOPE,
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRoleKind,
)
from avz_bot.domain.workdays import WorkCalendar

# --------------------------------------------------------------------------- enums


class RouteKind(StrEnum):
    """The two route types (the word typed after ``!opschalen``)."""

    INHOUDELIJK = "inhoudelijk"  # the case network is stuck on content
    SAMENWERKING = "samenwerking"  # a partner does not keep agreements


class TargetKind(StrEnum):
    """Whom a level addresses, resolved against the partner registry at request."""

    KETENMANAGERS = "ketenmanagers"  # Role.KETENMANAGER
    DRIEHOEK = "driehoek"  # driehoek of the case's municipality
    DRIEHOEK_REGIO = "driehoek-regio"  # the regional driehoek (scope "regio")
    #: the partner's bestuurder; for a municipal department the case municipality's wethouder
    BESTUURDER = "bestuurder"


class EscalationStatus(StrEnum):
    """The state of an escalation."""

    AANGEVRAAGD = "aangevraagd"
    ONTVANGEN = "ontvangen"
    BESLOTEN = "besloten"
    AFGESCHAALD = "afgeschaald"
    INGETROKKEN = "ingetrokken"


CLOSED_STATUSES: frozenset[EscalationStatus] = frozenset(
    {EscalationStatus.BESLOTEN, EscalationStatus.AFGESCHAALD, EscalationStatus.INGETROKKEN}
)
OPEN_STATUSES: frozenset[EscalationStatus] = frozenset(
    {EscalationStatus.AANGEVRAAGD, EscalationStatus.ONTVANGEN}
)


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


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True, slots=True)
class LevelPolicy:
    """One configured level: its targets and clocks.

    ``ack_working_hours``: working hours until the reminder (and as long again until the
    next level); ``decision_working_days``: working days from acknowledgement until the
    decision reminder (and as long again until the coordination room hears of it);
    ``urgent_ack_minutes`` and ``urgent_decision_hours``: the same in real time, for urgent
    escalations.
    """

    targets: TargetKind
    ack_working_hours: float
    decision_working_days: int
    urgent_ack_minutes: float
    urgent_decision_hours: float


@dataclass(frozen=True, slots=True)
class FrozenLevel:
    """A level as frozen at request: the policy and the people it resolved to."""

    number: int  # 1-based, the configured position (skipped levels keep their number)
    policy: LevelPolicy
    scope: str  # municipality, "regio" or organisation code ("" for ketenmanagers)
    targets: tuple[str, ...]


def _scope_for(
    kind: TargetKind, municipality: str, partner: Organisation | None
) -> tuple[ScopedRoleKind | None, str]:
    if kind is TargetKind.KETENMANAGERS:
        return None, ""
    if kind is TargetKind.DRIEHOEK:
        return ScopedRoleKind.DRIEHOEK, municipality
    if kind is TargetKind.DRIEHOEK_REGIO:
        return ScopedRoleKind.DRIEHOEK, REGION_SCOPE
    if partner is None:
        return ScopedRoleKind.BESTUURDER, ""
    if partner.domain is OrgDomain.GEMEENTE:
        return ScopedRoleKind.WETHOUDER, municipality
    return ScopedRoleKind.BESTUURDER, partner.code


def resolve_targets(
    kind: TargetKind,
    members: Iterable[Member],
    municipality: str,
    partner: Organisation | None,
    requester: str,
) -> tuple[str, tuple[str, ...]]:
    """``(scope, matrix ids)`` of the people a level of ``kind`` addresses, sorted.

    Ketenmanagers by :attr:`Role.KETENMANAGER`; the driehoek by the scoped role
    ``driehoek`` for the case's municipality or ``regio``; for ``bestuurder`` the
    partner's ``bestuurder`` (scope: organisation code), or — when the partner is a
    municipal organisation — the ``wethouder`` of the case's municipality. The requester
    is left out.
    """
    role_kind, scope = _scope_for(kind, municipality, partner)
    chosen: list[str] = []
    for member in members:
        if member.matrix_id == requester:
            continue
        if role_kind is None:
            if member.has_role(Role.KETENMANAGER):
                chosen.append(member.matrix_id)
        elif scope and member.holds(role_kind, scope):
            chosen.append(member.matrix_id)
    return scope, tuple(sorted(chosen))


def freeze_route(
    policies: Sequence[LevelPolicy],
    members: Iterable[Member],
    municipality: str,
    partner: Organisation | None,
    requester: str,
) -> tuple[FrozenLevel, ...]:
    """Every configured level with the people it resolves to now (empty levels included)."""
    people = list(members)
    levels = []
    for number, policy in enumerate(policies, start=1):
        scope, targets = resolve_targets(policy.targets, people, municipality, partner, requester)
        levels.append(FrozenLevel(number, policy, scope, targets))
    return tuple(levels)


def next_level(levels: Sequence[FrozenLevel], after: int) -> FrozenLevel | None:
    """The first level after level number ``after`` that has targets (empty ones skipped)."""
    for level in levels:
        if level.number > after and level.targets:
            return level
    return None


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


# ------------------------------------------------------------------------ events


@dataclass(frozen=True, slots=True)
class EscalationEvent:
    """Something that happened to an escalation; ``actor`` is None for the clocks."""

    at: datetime
    actor: str | None


@dataclass(frozen=True, slots=True)
class LevelStarted(EscalationEvent):
    """The escalation now waits at ``level`` for an acknowledgement (ping its targets)."""

    level: FrozenLevel
    reason: str | None  # why it moved here (None for the first level)
    automatic: bool  # moved by the clock rather than by a person


@dataclass(frozen=True, slots=True)
class Acknowledged(EscalationEvent):
    """A target acknowledged the current level (``actor``)."""

    level: int
    via_reaction: bool


@dataclass(frozen=True, slots=True)
class Released(EscalationEvent):
    """The acknowledger released it: the level waits again, its clock restarts."""

    level: int


@dataclass(frozen=True, slots=True)
class Decided(EscalationEvent):
    """The acknowledger recorded the decision; the escalation is closed as decided."""

    level: int
    decision: str


@dataclass(frozen=True, slots=True)
class Closed(EscalationEvent):
    """Closed otherwise: de-escalated or withdrawn, with the reason."""

    status: EscalationStatus
    reason: str


@dataclass(frozen=True, slots=True)
class AckReminder(EscalationEvent):
    """The acknowledgement timeout passed once: remind the level's targets."""

    level: int


@dataclass(frozen=True, slots=True)
class LastLevelUnacknowledged(EscalationEvent):
    """The last level did not acknowledge either: tell the coordination room."""

    level: int


@dataclass(frozen=True, slots=True)
class DecisionReminder(EscalationEvent):
    """The decision timeout passed once: remind the acknowledger."""

    level: int
    acknowledger: str


@dataclass(frozen=True, slots=True)
class DecisionOverdue(EscalationEvent):
    """The decision timeout passed twice: tell the coordination room."""

    level: int
    acknowledger: str


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
    return _move(state, target, member.matrix_id, reason.strip(), now, automatic=False)


def _move(
    state: EscalationState,
    target: FrozenLevel,
    actor: str | None,
    reason: str | None,
    now: datetime,
    *,
    automatic: bool,
) -> Transition:
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


# ---------------------------------------------------------------- clocks


class ClockStage(StrEnum):
    """Which step a clock job takes when it fires."""

    ACK_REMINDER = "ack_reminder"
    ACK_ESCALATE = "ack_escalate"
    DECISION_REMINDER = "decision_reminder"
    DECISION_OVERDUE = "decision_overdue"


def ack_deadline(
    level: FrozenLevel, urgent: bool, start: datetime, calendar: WorkCalendar
) -> datetime:
    """When the acknowledgement timeout (started at ``start``) passes, UTC.

    Working hours on working days (:meth:`WorkCalendar.add_working_hours`); urgent:
    ``urgent_ack_minutes`` of real time.
    """
    if urgent:
        # Real time: add in UTC (aware local arithmetic would add wall-clock time).
        return start.astimezone(UTC) + timedelta(minutes=level.policy.urgent_ack_minutes)
    return calendar.add_working_hours(start, level.policy.ack_working_hours)


def decision_deadline(
    level: FrozenLevel, urgent: bool, start: datetime, calendar: WorkCalendar
) -> datetime:
    """When the decision timeout (started at acknowledgement ``start``) passes, UTC.

    Working days at the same office time (:meth:`WorkCalendar.add_working_days_at`);
    urgent: ``urgent_decision_hours`` of real time.
    """
    if urgent:
        return start.astimezone(UTC) + timedelta(hours=level.policy.urgent_decision_hours)
    return calendar.add_working_days_at(start, level.policy.decision_working_days)


def clock_fired(
    state: EscalationState, stage: ClockStage, level: int, now: datetime
) -> Transition | None:
    """A clock job fired: what happens, or None when it is stale (state moved on).

    ``level`` is the level the clock was armed for: a clock of an earlier level, an
    acknowledgement clock after the acknowledgement, or any clock of a closed escalation
    does nothing.
    """
    if state.is_closed or level != state.level:
        return None
    waiting = state.status is EscalationStatus.AANGEVRAAGD
    if stage is ClockStage.ACK_REMINDER and waiting:
        return Transition(state, (AckReminder(now, None, level),))
    if stage is ClockStage.ACK_ESCALATE and waiting:
        target = next_level(state.levels, state.level)
        if target is None:
            return Transition(state, (LastLevelUnacknowledged(now, None, level),))
        return _move(state, target, None, None, now, automatic=True)
    acknowledger = state.acknowledged_by
    if acknowledger is None:
        return None
    if stage is ClockStage.DECISION_REMINDER:
        return Transition(state, (DecisionReminder(now, None, level, acknowledger),))
    if stage is ClockStage.DECISION_OVERDUE:
        return Transition(state, (DecisionOverdue(now, None, level, acknowledger),))
    return None


def clock_plan(
    state: EscalationState, since: datetime, calendar: WorkCalendar
) -> list[tuple[ClockStage, datetime]]:
    """The clock jobs to arm after a transition: ``(stage, due)`` in order (UTC).

    Waiting for an acknowledgement: reminder at the timeout, next level after the same
    time again. Acknowledged: decision reminder at the decision timeout, the coordination
    room after the same time again. Closed: nothing.
    """
    if state.is_closed:
        return []
    level = state.current
    if state.status is EscalationStatus.AANGEVRAAGD:
        first = ack_deadline(level, state.urgent, since, calendar)
        return [
            (ClockStage.ACK_REMINDER, first),
            (ClockStage.ACK_ESCALATE, ack_deadline(level, state.urgent, first, calendar)),
        ]
    first = decision_deadline(level, state.urgent, since, calendar)
    return [
        (ClockStage.DECISION_REMINDER, first),
        (ClockStage.DECISION_OVERDUE, decision_deadline(level, state.urgent, first, calendar)),
    ]


def parse_reference(text: str) -> str | None:
    """``ESC-2026-12`` (any case) as stored, or None when it is not such a reference."""
    parts = text.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != "ESC":
        return None
    if not (parts[1].isdigit() and len(parts[1]) == 4 and parts[2].isdigit()):
        return None
    return f"ESC-{parts[1]}-{int(parts[2])}"


def format_reference(year: int, number: int) -> str:
    """The reference of the ``number``-th escalation of ``year`` (``ESC-2026-12``)."""
    return f"ESC-{year}-{number}"
