"""Escalation routes: route and target kinds, statuses, levels frozen with their people, and
the state an escalation is in (with the refusal of an action on it).

See :mod:`avz_bot.domain.escalations` for the whole picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from avz_bot.domain.partners import (
    REGION_SCOPE,
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRoleKind,
)


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
